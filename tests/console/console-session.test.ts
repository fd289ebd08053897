import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { type DemoData, seedDemo } from '../../src/cli/demo-data.ts';
import { safeNext } from '../../src/console/pages/sign-in.ts';
import { idleTimeoutMs } from '../../src/console/session.ts';
import { keys, testApp } from '../helpers/app.ts';
import { cookiesOf, csrfOf, form, formHeaders, signIn } from './console-helpers.ts';

describe('the operations console: session, CSRF, pages and the audited raw rows', () => {
  let app: App;
  let demo: DemoData;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hub-console-'));
    const config = path.join(dir, 'hub.config.yaml');
    writeFileSync(config, 'jobs:\n  - { name: push, kind: outbound, schedule: "0 2 * * *" }\n');
    app = await testApp({ env: { HUB_CONFIG: config } });
    demo = await seedDemo(app, { adminKey: keys.admin.key, brokenDir: path.join(dir, 'broken') });
  });
  afterAll(async () => app.close());

  it('sends a browser without a session to sign-in, and / to the console', async () => {
    const res = await app.inject({ method: 'GET', url: '/console/deliveries?status=dead' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(
      `/console/sign-in?next=${encodeURIComponent('/console/deliveries?status=dead')}`,
    );
    const root = await app.inject({ method: 'GET', url: '/' });
    expect(root.headers.location).toBe('/console');
    const post = await app.inject({
      method: 'POST',
      url: '/console/jobs/x/run',
      headers: formHeaders(''),
      payload: '',
    });
    expect(post.statusCode).toBe(303);
    expect(post.headers.location).toBe('/console/sign-in?notice=expired');
  });

  it('follows sign-in only to a page of the console', () => {
    expect(safeNext('/console/imports?rejects=yes')).toBe('/console/imports?rejects=yes');
    expect(safeNext('/console')).toBe('/console');
    for (const evil of [
      'https://evil.example/',
      '//evil.example/console',
      '/console//evil.example',
      '/consolex',
      '/console\\evil',
      '/v1/residents',
    ])
      expect(safeNext(evil), evil).toBe('/console');
  });

  it('signs in only with a console or admin key and its own form token, into an HttpOnly SameSite=Strict cookie', async () => {
    const page = await app.inject({ method: 'GET', url: '/console/sign-in' });
    const cookie = cookiesOf(page.headers['set-cookie']);
    const attempt = (key: string, csrf = csrfOf(page.body), c = cookie) =>
      app.inject({
        method: 'POST',
        url: '/console/sign-in',
        headers: formHeaders(c),
        payload: form({ _csrf: csrf, key }),
      });
    expect((await attempt('wrong-key-000000000000')).statusCode).toBe(401);
    expect((await attempt(keys.counter.key)).statusCode).toBe(401);
    expect((await attempt(keys.admin.key, 'forged')).statusCode).toBe(403);
    expect((await attempt(keys.admin.key, csrfOf(page.body), '')).statusCode).toBe(403);
    const ok = await attempt(keys.operator.key);
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/console');
    const set = [ok.headers['set-cookie']].flat().find((c) => c?.startsWith('hub_console='))!;
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Strict/i);
    expect(set).toMatch(/Path=\/console/);
    const stored = await app.hub.store.db.selectFrom('console_sessions').select('id').execute();
    expect(stored.map((s) => s.id)).not.toContain(set.split(';')[0]!.split('=')[1]);
  });

  it('refuses a POST without the session’s CSRF token or from another site', async () => {
    const { cookie, csrf } = await signIn(app, keys.operator);
    const dead = (await app.hub.deliveries.list({ status: 'dead', limit: 1, offset: 0 })).items[0]!;
    const post = (fields: Record<string, string>, extra: Record<string, string> = {}) =>
      app.inject({
        method: 'POST',
        url: `/console/deliveries/${dead.id}/redeliver`,
        headers: { ...formHeaders(cookie), ...extra },
        payload: form(fields),
      });
    expect((await post({})).statusCode).toBe(403);
    expect((await post({ _csrf: 'x'.repeat(43) })).statusCode).toBe(403);
    expect((await post({ _csrf: csrf }, { 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403);
    expect((await app.hub.deliveries.get(dead.id))!.status).toBe('dead');
  });

  it('shows rejects without their raw rows, and the raw rows only with a purpose, audited', async () => {
    const { cookie, csrf } = await signIn(app, keys.operator);
    const detail = await app.inject({
      method: 'GET',
      url: `/console/imports/${demo.withRejects.id}`,
      headers: { cookie },
    });
    expect(detail.statusCode).toBe(200);
    expect(detail.body).toContain('HUB_ERR_INVALID_DATE');
    expect(detail.body).toContain('却下行');
    expect(detail.body).not.toContain('甲野');
    const raw = (purpose: string) =>
      app.inject({
        method: 'POST',
        url: `/console/imports/${demo.withRejects.id}/raw`,
        headers: formHeaders(cookie),
        payload: form({ _csrf: csrf, purpose }),
      });
    const audited = () =>
      app.hub.store.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'console.imports.rejects.raw')
        .execute();
    const refused = await raw('  ');
    expect(refused.statusCode).toBe(400);
    expect(refused.body).not.toContain('甲野');
    expect(await audited()).toHaveLength(0);
    const shown = await raw('却下理由の確認');
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('甲野');
    expect(shown.headers['cache-control']).toBe('no-store');
    expect(await audited()).toEqual([
      expect.objectContaining({
        client_id: 'operator-1',
        purpose: '却下理由の確認',
        fields: [`import:${demo.withRejects.id}`, 'lines:3,5'],
      }),
    ]);
  });

  it('serves every page as script-free HTML under a strict CSP', async () => {
    const { cookie } = await signIn(app, keys.admin);
    for (const [url, text] of [
      ['/console', '送信先ごとの配信'],
      ['/console/imports?rejects=yes', 'demo_異動_却下あり.csv'],
      ['/console/deliveries?status=dead', '停止した配信の一括再送'],
      ['/console/jobs', '0 2 * * *'],
      ['/console/setup?validate=1', '問題はありません'],
      ['/console/sign-in', 'サインイン'],
    ] as const) {
      const res = await app.inject({ method: 'GET', url, headers: { cookie } });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain(text);
      expect(res.body, url).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
      expect(res.headers['content-security-policy'], url).toContain("default-src 'none'");
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
    const imports = await app.inject({
      method: 'GET',
      url: '/console/imports?rejects=no',
      headers: { cookie },
    });
    expect(imports.body).not.toContain('demo_異動_却下あり.csv');
  });

  it('runs a job now from the jobs page and shows its run', async () => {
    const { cookie, csrf } = await signIn(app, keys.operator);
    const res = await app.inject({
      method: 'POST',
      url: '/console/jobs/push/run',
      headers: formHeaders(cookie),
      payload: form({ _csrf: csrf }),
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console/jobs?notice=job-run&job=push&status=succeeded');
    const page = await app.inject({
      method: 'GET',
      url: res.headers.location as string,
      headers: { cookie },
    });
    expect(page.body).toContain('ジョブ push を実行しました: 成功');
    expect(page.body).toContain('API・画面');
    expect((await app.hub.jobs.runs('push', 10, 0)).total).toBe(1);
  });

  it('ends a session after the idle timeout, and on sign-out', async () => {
    const a = await signIn(app, keys.operator);
    await app.hub.store.db
      .updateTable('console_sessions')
      .set({ last_seen_at: new Date(Date.now() - idleTimeoutMs - 1000) })
      .execute();
    const idle = await app.inject({ method: 'GET', url: '/console', headers: { cookie: a.cookie } });
    expect(idle.statusCode).toBe(303);
    const id = createHash('sha256').update(a.cookie.split('=')[1]!).digest('hex');
    expect(
      await app.hub.store.db.selectFrom('console_sessions').select('id').where('id', '=', id).execute(),
    ).toEqual([]);
    const b = await signIn(app, keys.operator);
    const out = await app.inject({
      method: 'POST',
      url: '/console/sign-out',
      headers: formHeaders(b.cookie),
      payload: form({ _csrf: b.csrf }),
    });
    expect(out.headers.location).toBe('/console/sign-in?notice=signed-out');
    expect(
      (await app.inject({ method: 'GET', url: '/console', headers: { cookie: b.cookie } })).statusCode,
    ).toBe(303);
  });

  it('checks the audit chain from the dashboard when asked, and shows where it breaks', async () => {
    const { cookie } = await signIn(app, keys.operator);
    const ok = await app.inject({ method: 'GET', url: '/console?verify=audit', headers: { cookie } });
    expect(ok.body).toContain('正常');
    const first = await app.hub.store.db
      .selectFrom('audit_log')
      .select('id')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await app.hub.store.db
      .updateTable('audit_log')
      .set({ purpose: '書き換え' })
      .where('id', '=', first.id)
      .execute();
    const broken = await app.inject({ method: 'GET', url: '/console?verify=audit', headers: { cookie } });
    expect(broken.body).toContain('改ざんの疑い');
    expect(broken.body).toContain(`id=${first.id}`);
    const plain = await app.inject({ method: 'GET', url: '/console', headers: { cookie } });
    expect(plain.body).toContain('未検証');
  });
});
