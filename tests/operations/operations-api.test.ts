import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { App } from '../../src/app.ts';
import { type DemoData, demoBrokenTarget, seedDemo } from '../../src/cli/demo-data.ts';
import type { ApiKey } from '../../src/config/env.ts';
import { auth, keys, testApp } from '../helpers/app.ts';
import { root } from '../helpers/files.ts';

describe('operations APIs: imports, deliveries, jobs, dashboard, metrics', () => {
  let app: App;
  let demo: DemoData;
  const logLines: string[] = [];
  const get = (url: string, key: ApiKey = keys.admin) =>
    app.inject({ method: 'GET', url, headers: auth(key) });

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hub-ops-'));
    const config = path.join(dir, 'hub.config.yaml');
    writeFileSync(config, 'jobs:\n  - { name: push, kind: outbound, schedule: "*/5 * * * *" }\n');
    app = await testApp({ logLevel: 'info', logLines, env: { HUB_CONFIG: config } });
    demo = await seedDemo(app, { adminKey: keys.admin.key, brokenDir: path.join(dir, 'broken') });
  });
  afterAll(async () => app.close());

  it('filters import runs by rejects, status, adapter, source and start time', async () => {
    const withRejects = (await get('/v1/imports?rejects=true')).json();
    expect(withRejects.items.map((r: { id: string }) => r.id)).toEqual([demo.withRejects.id]);
    expect(withRejects.items[0]).toMatchObject({ source: 'demo', counts: { rejected: 2 } });
    const without = (await get('/v1/imports?rejects=false&adapter=juki-standard-csv')).json();
    expect(without.items.map((r: { id: string }) => r.id)).toEqual([demo.sample.id]);
    expect((await get('/v1/imports?adapter=tenshutsu-xml')).json().total).toBe(1);
    expect((await get('/v1/imports?source=demo')).json().total).toBe(3);
    expect((await get('/v1/imports?source=someone-else')).json().total).toBe(0);
    expect((await get('/v1/imports?status=failed')).json().total).toBe(0);
    expect((await get('/v1/imports?status=partial')).statusCode).toBe(200);
    expect((await get('/v1/imports?since=2999-01-01T00:00:00Z')).json().total).toBe(0);
    expect((await get('/v1/imports?status=bogus')).statusCode).toBe(400);
  });

  it('lists the dead delivery with the error of its last attempt, for operators only', async () => {
    expect(demo.deadDeliveries).toBe(1);
    const dead = (await get(`/v1/deliveries?status=dead&target=${demoBrokenTarget}`)).json();
    expect(dead.total).toBe(1);
    expect(dead.items[0]).toMatchObject({ target: demoBrokenTarget, formId: 'juminidou', attempts: 1 });
    expect(dead.items[0].lastError).toMatch(/ENOTDIR|EEXIST|not a directory/);
    expect(JSON.stringify(dead)).not.toContain('values');
    const bySubmission = (await get(`/v1/deliveries?submission=${dead.items[0].submissionId}`)).json();
    expect(bySubmission.total).toBe(1);
    expect((await get('/v1/deliveries?status=pending')).json().total).toBe(0);
    expect((await get('/v1/deliveries', keys.counter)).statusCode).toBe(403);
    expect((await get('/v1/dashboard', keys.importer)).statusCode).toBe(403);
  });

  it('logs one error line when the delivery went dead and when an import is partial, without names', () => {
    const errors = logLines.map((l) => JSON.parse(l)).filter((l) => l.level === 50);
    expect(errors.find((l) => /delivery dead/.test(l.msg))).toMatchObject({ target: demoBrokenTarget });
    expect(errors.find((l) => /import partial/.test(l.msg))).toMatchObject({
      importId: demo.withRejects.id,
      counts: { rejected: 2 },
    });
    expect(logLines.join('\n')).not.toMatch(/甲野|コウノ|茅ヶ崎/);
  });

  it('sums it up on the dashboard: imports per source, the outbox per target, jobs, audit', async () => {
    const d = (await get('/v1/dashboard')).json();
    expect(d.deliveries).toMatchObject({ dead: 1, failed: 0, outboxDepth: 0, oldestPendingAgeSeconds: null });
    expect(d.deliveries.problems).toEqual([
      expect.objectContaining({ target: demoBrokenTarget, status: 'dead', lastError: expect.any(String) }),
    ]);
    expect(d.deliveries.targets.find((t: { target: string }) => t.target === demoBrokenTarget)).toMatchObject(
      {
        dead: 1,
      },
    );
    const juki = d.imports.find((i: { adapter: string }) => i.adapter === 'juki-standard-csv');
    expect(juki).toMatchObject({ source: 'demo', importId: demo.withRejects.id, rejected: 2 });
    expect(juki.lastSuccessAt).toBeTruthy();
    expect(d.jobs).toEqual([expect.objectContaining({ name: 'push', nextRun: expect.any(String) })]);
    expect(d.audit).toMatchObject({ chain: 'unverified' });
    const verified = (await get('/v1/dashboard?verifyAudit=true')).json();
    expect(verified.audit).toMatchObject({ chain: 'ok', verification: { ok: true } });
    expect(verified.audit.verification.checked).toBe(verified.audit.entries);
  });

  it('reports the outbox and imports as Prometheus metrics', async () => {
    const text = (await app.inject({ method: 'GET', url: '/metrics', headers: auth(keys.admin) })).body;
    expect(text).toContain(`hub_deliveries{target="${demoBrokenTarget}",status="dead"} 1`);
    expect(text).toContain(`hub_deliveries_dead_total{target="${demoBrokenTarget}"} 1`);
    expect(text).toMatch(/^hub_outbox_depth 0$/m);
    expect(text).toMatch(/^hub_outbox_oldest_pending_age_seconds 0$/m);
    expect(text).toMatch(
      /hub_import_last_success_timestamp_seconds\{adapter="juki-standard-csv",source="demo"\} \d+/,
    );
    expect(text).toMatch(/hub_imports_total\{adapter="juki-standard-csv",status="succeeded"\} \d/);
  });

  it('docs/alerts.yaml alerts only on metrics the hub exports', async () => {
    const text = (await app.inject({ method: 'GET', url: '/metrics', headers: auth(keys.admin) })).body;
    const rules = parse(readFileSync(path.join(root, 'docs', 'alerts.yaml'), 'utf8')) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    };
    const exprs = rules.groups.flatMap((g) => g.rules.map((r) => r.expr));
    const names = new Set(exprs.flatMap((e) => e.match(/\bhub_[a-z_]+/g) ?? []));
    expect([...names].sort()).toEqual([
      'hub_deliveries',
      'hub_deliveries_dead_total',
      'hub_import_last_success_timestamp_seconds',
      'hub_imports_total',
      'hub_outbox_depth',
      'hub_outbox_oldest_pending_age_seconds',
    ]);
    for (const name of names) expect(text, name).toContain(`# TYPE ${name} `);
  });

  it('replays a target’s dead deliveries in bulk after the fix, and they are delivered', async () => {
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/deliveries/redeliver',
          headers: auth(keys.admin),
          payload: { target: 'nope' },
        })
      ).statusCode,
    ).toBe(404);
    rmSync(demo.brokenPath!, { force: true });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/deliveries/redeliver',
      headers: auth(keys.admin),
      payload: { target: demoBrokenTarget },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ target: demoBrokenTarget, redelivered: 1 });
    const audited = await app.hub.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'deliveries.redeliver-dead')
      .execute();
    expect(audited).toEqual([
      expect.objectContaining({ client_id: 'admin-1', fields: [`target:${demoBrokenTarget}`, 'count:1'] }),
    ]);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics', headers: auth(keys.admin) })).body;
    expect(metrics).toMatch(/^hub_outbox_depth 1$/m);
    expect(await app.hub.dispatcher.runOnce()).toMatchObject({ delivered: 1 });
    expect((await get(`/v1/deliveries?status=delivered&target=${demoBrokenTarget}`)).json().total).toBe(1);
    const one = (await get('/v1/deliveries')).json().items[0];
    const again = await app.inject({
      method: 'POST',
      url: `/v1/deliveries/${one.id}/redeliver`,
      headers: auth(keys.admin),
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('HUB_ERR_NOT_REDELIVERABLE');
  });

  it('lists jobs with their next run and, once run, their last run', async () => {
    await app.inject({ method: 'POST', url: '/v1/jobs/push/run', headers: auth(keys.admin) });
    const jobs = (await get('/v1/jobs')).json();
    const push = jobs.items[0];
    expect(push.name).toBe('push');
    expect(Date.parse(push.nextRun)).toBeGreaterThan(Date.now());
    expect(Date.parse(push.nextRun) - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    expect(push.lastRun).toMatchObject({ job: 'push', trigger: 'api', status: 'succeeded' });
  });
});
