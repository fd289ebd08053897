import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { backoffMs } from '../../src/delivery/dispatcher.ts';
import { sha256Hex, stableStringify } from '../../src/ingest/record-hash.ts';
import { auth, keys, testApp } from '../helpers/app.ts';
import { openChigasakiVisit } from '../helpers/visit.ts';

describe('submissions, the outbox and the folder transport', () => {
  let app: App;
  let visitId: string;
  const submit = (body: Record<string, unknown>, key?: string) =>
    app.inject({
      method: 'POST',
      url: `/v1/visits/${visitId}/submissions`,
      headers: auth(keys.admin, key ? { 'idempotency-key': key } : {}),
      payload: body,
    });
  const body = {
    formId: 'juminidou',
    values: { phone: '0467-00-0000' },
    confirmedBy: 'staff-1',
    signatures: [{ key: 'signature', method: 'tablet' }],
  };
  const jukiDir = () => path.join(app.hub.config.outboxDir!, 'juki-idou-csv');

  beforeAll(async () => {
    app = await testApp();
    visitId = await openChigasakiVisit(app);
  });
  afterAll(async () => app.close());

  it('answers 400 without an Idempotency-Key', async () => {
    const res = await submit(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('HUB_ERR_IDEMPOTENCY_REQUIRED');
  });

  it('writes the submission and one outbox row per target before the 202', async () => {
    const res = await submit(body, 'key-1');
    expect(res.statusCode).toBe(202);
    const s = res.json();
    expect(s.deliveries).toEqual([expect.objectContaining({ target: 'juki-idou-csv', status: 'pending' })]);
    const stored = await app.hub.store.db
      .selectFrom('deliveries')
      .selectAll()
      .where('submission_id', '=', s.id)
      .execute();
    expect(stored).toHaveLength(1);
  });

  it('answers the same key and body with the first response, another body with 422, one in flight with 409', async () => {
    const first = (await submit(body, 'key-2')).json();
    const again = await submit(body, 'key-2');
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual(first);
    const other = await submit({ ...body, values: { phone: '0467-99-9999' } }, 'key-2');
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('HUB_ERR_IDEMPOTENCY_MISMATCH');
    await app.hub.store.db
      .insertInto('idempotency_keys')
      .values({
        client_id: 'admin-1',
        key: 'key-3',
        body_hash: sha256Hex(stableStringify({ visitId, body })),
        state: 'in-flight',
        response: null,
      })
      .execute();
    const inFlight = await submit(body, 'key-3');
    expect(inFlight.statusCode).toBe(409);
    expect(inFlight.json().code).toBe('HUB_ERR_IDEMPOTENCY_IN_FLIGHT');
    const count = await app.hub.store.db.selectFrom('form_submissions').select('id').execute();
    expect(count).toHaveLength(2);
  });

  it('delivers the 住民異動届 of the six-person family as a CSV with six rows and a matching .done', async () => {
    const result = await app.hub.dispatcher.runOnce();
    expect(result).toEqual({ delivered: 2, failed: 0, dead: 0 });
    const files = readdirSync(jukiDir()).sort();
    const csv = files.find((f) => f.endsWith('.csv'))!;
    expect(files).toContain(csv.replace(/\.csv$/, '.done'));
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
    const bytes = readFileSync(path.join(jukiDir(), csv));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trim().split('\r\n');
    expect(lines[0]!.split(',').slice(0, 7)).toEqual([
      '受付番号',
      '届出年月日',
      '異動事由',
      '異動年月日',
      '届出人氏名',
      '順位',
      '氏名',
    ]);
    expect(lines).toHaveLength(1 + 12);
    const done = readFileSync(path.join(jukiDir(), csv.replace(/\.csv$/, '.done')), 'utf8');
    expect(done).toBe(`rows=12\nsha256=${createHash('sha256').update(bytes).digest('hex')}\n`);
    const submissions = await app.hub.store.db.selectFrom('form_submissions').select('id').execute();
    for (const s of submissions) {
      const rows = lines.filter((l) => l.startsWith(`${s.id},`));
      expect(rows).toHaveLength(6);
      expect(rows.map((r) => r.split(',')[6])).toEqual([
        '山田　太郎',
        '山田　花子',
        '山田　一男',
        '山田　一郎',
        '山田　二葉',
        '山田　三月',
      ]);
      const view = await app.inject({
        method: 'GET',
        url: `/v1/submissions/${s.id}`,
        headers: auth(keys.admin),
      });
      expect(view.json().deliveries[0]).toMatchObject({
        status: 'delivered',
        attempts: 1,
        artifact: { rows: 12, path: path.join(jukiDir(), csv) },
      });
    }
  });

  it('retries a target that is down, then marks it dead, and replays it on redeliver', async () => {
    const s = (await submit({ ...body, values: { phone: '0467-11-1111' } }, 'key-4')).json();
    rmSync(jukiDir(), { recursive: true, force: true });
    writeFileSync(jukiDir(), 'not a folder');
    const target = app.hub.targets.find((t) => t.id === 'juki-idou-csv')!;
    const max = target.maxAttempts;
    target.maxAttempts = 3;
    const due = () =>
      app.hub.store.db
        .updateTable('deliveries')
        .set({ next_attempt_at: new Date(0) })
        .where('submission_id', '=', s.id)
        .execute();
    expect(await app.hub.dispatcher.runOnce()).toMatchObject({ failed: 1 });
    let view = (
      await app.inject({ method: 'GET', url: `/v1/submissions/${s.id}`, headers: auth(keys.admin) })
    ).json();
    expect(view.deliveries[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(view.deliveries[0].lastError).toBeTruthy();
    expect(await app.hub.dispatcher.runOnce()).toMatchObject({ failed: 0, delivered: 0 });
    await due();
    expect(await app.hub.dispatcher.runOnce()).toMatchObject({ failed: 1 });
    await due();
    expect(await app.hub.dispatcher.runOnce()).toMatchObject({ dead: 1 });
    view = (
      await app.inject({ method: 'GET', url: `/v1/submissions/${s.id}`, headers: auth(keys.admin) })
    ).json();
    expect(view.deliveries[0]).toMatchObject({ status: 'dead', attempts: 3 });
    rmSync(jukiDir(), { force: true });
    mkdirSync(jukiDir());
    const replay = await app.inject({
      method: 'POST',
      url: `/v1/submissions/${s.id}/redeliver`,
      headers: auth(keys.admin),
    });
    expect(replay.statusCode).toBe(202);
    expect(replay.json().deliveries[0]).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await app.hub.dispatcher.runOnce()).toMatchObject({ delivered: 1 });
    expect(readdirSync(jukiDir()).filter((f) => f.endsWith('.csv'))).toHaveLength(1);
    target.maxAttempts = max;
  });

  it('finishes the same file after a crash between writing and marking, never a second one', async () => {
    const s = (await submit({ ...body, values: { phone: '0467-22-2222' } }, 'key-5')).json();
    await app.hub.dispatcher.runOnce();
    // The hub died before it marked the delivery: the lease ran out and the row is due again.
    // (tests/faults/crash-recovery.test.ts does this with a real kill -9 at each step.)
    await app.hub.store.db
      .updateTable('deliveries')
      .set({ status: 'pending', claimed_until: new Date(0) })
      .where('submission_id', '=', s.id)
      .execute();
    await app.hub.dispatcher.runOnce();
    const withId = readdirSync(jukiDir())
      .filter((f) => f.endsWith('.csv'))
      .filter((f) => readFileSync(path.join(jukiDir(), f), 'utf8').includes(`${s.id},`));
    expect(withId).toHaveLength(1);
  });
});

describe('backoff', () => {
  it('doubles from the base, keeps within the cap, and jitters in the upper half', () => {
    const o = { baseMs: 1000, capMs: 10_000 };
    expect(backoffMs(1, o, () => 1)).toBe(1000);
    expect(backoffMs(2, o, () => 1)).toBe(2000);
    expect(backoffMs(3, o, () => 0)).toBe(2000);
    expect(backoffMs(10, o, () => 1)).toBe(10_000);
    expect(backoffMs(10, o, () => 0)).toBe(5000);
  });
});
