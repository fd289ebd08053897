import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { createDispatcher } from '../../src/delivery/dispatcher.ts';
import { auth, keys, testApp } from '../helpers/app.ts';
import { openChigasakiVisit } from '../helpers/visit.ts';

describe('the http transport and several dispatchers at once', () => {
  let app: App;
  let server: Server;
  let visitId: string;
  const received: { key: string | undefined; body: { submissionId: string; formId: string } }[] = [];
  let failuresLeft = 2;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => {
        text += c;
      });
      req.on('end', () => {
        received.push({ key: req.headers['idempotency-key'] as string | undefined, body: JSON.parse(text) });
        res.statusCode = failuresLeft-- > 0 ? 503 : 200;
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const dir = mkdtempSync(path.join(tmpdir(), 'hub-http-'));
    writeFileSync(
      path.join(dir, 'hub.config.yaml'),
      `targets:\n  kouki-todoke-csv:\n    transport: { type: http, url: "http://127.0.0.1:${port}/kouki/import" }\n    maxAttempts: 5\n`,
    );
    app = await testApp({ env: { HUB_CONFIG: path.join(dir, 'hub.config.yaml') } });
    visitId = await openChigasakiVisit(app);
  });
  afterAll(async () => {
    await app.close();
    server.close();
  });

  const submit = (formId: string, key: string, values: Record<string, unknown> = {}) =>
    app.inject({
      method: 'POST',
      url: `/v1/visits/${visitId}/submissions`,
      headers: auth(keys.admin, { 'idempotency-key': key }),
      payload: { formId, values, confirmedBy: 's' },
    });

  it('retries an API that is down, with the delivery id as Idempotency-Key, and delivers once', async () => {
    const s = (await submit('kouki', 'k-1')).json();
    const due = () =>
      app.hub.store.db
        .updateTable('deliveries')
        .set({ next_attempt_at: new Date(0) })
        .where('submission_id', '=', s.id)
        .execute();
    expect(await app.hub.dispatcher.runOnce()).toMatchObject({ failed: 1 });
    await due();
    expect(await app.hub.dispatcher.runOnce()).toMatchObject({ failed: 1 });
    await due();
    expect(await app.hub.dispatcher.runOnce()).toMatchObject({ delivered: 1 });
    await due();
    expect(await app.hub.dispatcher.runOnce()).toMatchObject({ delivered: 0 });
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.key))).toEqual(new Set([s.deliveries[0].id]));
    expect(received[2]!.body).toMatchObject({ submissionId: s.id, formId: 'kouki' });
    const view = (
      await app.inject({ method: 'GET', url: `/v1/submissions/${s.id}`, headers: auth(keys.admin) })
    ).json();
    expect(view.deliveries[0]).toMatchObject({ status: 'delivered', attempts: 3 });
  });

  it('never delivers a row twice when two dispatchers run at once', async () => {
    for (let i = 0; i < 12; i++)
      expect(
        (await submit('juminidou', `many-${i}`, { phone: `0467-00-${String(i).padStart(4, '0')}` }))
          .statusCode,
      ).toBe(202);
    const other = createDispatcher({
      db: app.hub.store.db,
      targets: app.hub.targets,
      mappings: app.hub.mappings,
      log: app.log,
    });
    const results = await Promise.all([
      app.hub.dispatcher.runOnce(3),
      other.runOnce(3),
      app.hub.dispatcher.runOnce(3),
      other.runOnce(3),
    ]);
    expect(results.reduce((n, r) => n + r.delivered, 0)).toBe(12);
    const dir = path.join(app.hub.config.outboxDir!, 'juki-idou-csv');
    const ids = readdirSync(dir)
      .filter((f) => f.endsWith('.csv'))
      .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').slice(1).trim().split('\r\n').slice(1))
      .map((line) => line.split(',')[0]);
    // six rows (persons) per submission, each submission in exactly one file
    expect(ids).toHaveLength(72);
    expect(new Set(ids).size).toBe(12);
  });
});
