import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { myNumberCheckDigit } from '../../src/normalize/check-digits.ts';
import { auth, keys, personal, testApp } from '../helpers/app.ts';
import { sampleLines } from '../helpers/files.ts';

describe('logs carry no personal data', () => {
  let app: App;
  const lines: string[] = [];
  const body = '12345678901';
  const myNumber = `${body}${myNumberCheckDigit(body)}`;

  beforeAll(async () => {
    app = await testApp({ logLevel: 'trace', logLines: lines });
  });
  afterAll(async () => app.close());

  it('logs requests without query strings, keys, names or 個人番号', async () => {
    const [header, first, ...rest] = sampleLines() as [string, string, ...string[]];
    const upload = await app.inject({
      method: 'POST',
      url: '/v1/imports?adapter=juki-standard-csv',
      headers: auth(keys.importer, { 'content-type': 'application/octet-stream' }),
      body: Buffer.from(
        [`${header},個人番号`, `${first},${myNumber}`, ...rest.map((r) => `${r},`)].join('\n'),
      ),
    });
    expect(upload.json().counts.inserted).toBe(27);
    const search = await app.inject({
      method: 'GET',
      url: `/v1/residents?name=${encodeURIComponent('甲野')}&kana=${encodeURIComponent('コウノ')}`,
      headers: personal(keys.mynumber),
    });
    expect(search.json().items[0].myNumber).toBe(myNumber);
    const text = lines.join('');
    expect(lines.length).toBeGreaterThan(3);
    expect(text).toContain('/v1/residents');
    for (const secret of [
      keys.importer.key,
      keys.mynumber.key,
      myNumber,
      '甲野',
      'コウノ',
      encodeURIComponent('甲野'),
      '1980-03-05',
    ]) {
      expect(text, secret).not.toContain(secret);
    }
  });
});

describe('per-request log lines', () => {
  it('are written at debug, so an info-level hub writes none for a served request', async () => {
    const atInfo: string[] = [];
    const atDebug: string[] = [];
    const info = await testApp({ logLevel: 'info', logLines: atInfo });
    const debug = await testApp({ logLevel: 'debug', logLines: atDebug });
    try {
      for (const app of [info, debug]) expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
      const requestLines = (lines: string[]) =>
        lines.map((l) => JSON.parse(l)).filter((l) => /incoming request|request completed/.test(l.msg));
      expect(requestLines(atInfo)).toEqual([]);
      expect(requestLines(atDebug).map((l) => [l.level, l.msg])).toEqual([
        [20, 'incoming request'],
        [20, 'request completed'],
      ]);
    } finally {
      await info.close();
      await debug.close();
    }
  });
});
