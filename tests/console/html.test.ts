import { describe, expect, it } from 'vitest';
import { duration, sinceOf, url } from '../../src/console/format.ts';
import { html } from '../../src/console/html.ts';

describe('console markup', () => {
  it('escapes every interpolated value, in arrays too, but keeps markup made by html', () => {
    const evil = `"><script>alert('x')</script>&`;
    const out = html`<p title="${evil}">${[evil, html`<b>${evil}</b>`]}</p>`.value;
    expect(out).not.toContain('<script>');
    expect(out).toContain('&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;');
    expect(out).toContain('<b>&quot;');
    expect(html`${null}${undefined}${false}${0}`.value).toBe('0');
  });

  it('builds links with encoded queries, reads dates as the start of a day in Japan, and says durations', () => {
    expect(url('/console/deliveries', { status: 'dead', target: 'a&b', empty: '' })).toBe(
      '/console/deliveries?status=dead&target=a%26b',
    );
    expect(sinceOf('2026-12-02')).toBe('2026-12-01T15:00:00.000Z');
    expect(sinceOf('2026-12-02T00:00')).toBeUndefined();
    expect([duration(null), duration(42), duration(150), duration(7500), duration(3 * 86400)]).toEqual([
      '—',
      '42秒',
      '2分',
      '2時間5分',
      '3日',
    ]);
  });
});
