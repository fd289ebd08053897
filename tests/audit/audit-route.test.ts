import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { contentDigest, GENESIS_HASH, rowHash } from '../../src/audit/chain-hash.ts';
import type { AuditRecord } from '../../src/schemas/audit.ts';
import { auth, keys, testApp } from '../helpers/app.ts';

describe('GET /v1/audit and /v1/audit/verify', () => {
  let app: App;
  let between: string;

  const list = async (query: string) => {
    const res = await app.inject({ method: 'GET', url: `/v1/audit?${query}`, headers: auth(keys.auditor) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { items: AuditRecord[]; total: number };
  };
  const requestIds = async (query: string) => (await list(query)).items.map((i) => i.requestId).sort();

  beforeAll(async () => {
    app = await testApp();
    const a = app.hub.audit;
    await a.record({
      clientId: 'counter-1',
      staffId: 'staff-1',
      purpose: '転入の受付',
      action: 'residents.read',
      subjects: ['p-1'],
      fields: ['name'],
      requestId: 'r1',
    });
    await a.record({
      clientId: 'counter-1',
      staffId: 'staff-2',
      visitId: 'v-1',
      action: 'forms.read',
      subjects: ['p-1', 'p-2'],
      fields: ['address'],
      requestId: 'r2',
    });
    await sleep(30);
    between = new Date().toISOString();
    await sleep(30);
    await a.record({
      clientId: 'counter-2',
      staffId: 'staff-1',
      purpose: '100%確認の照会',
      action: 'residents.search',
      subjects: ['p-3'],
      fields: [],
      requestId: 'r3',
    });
    await a.record({
      clientId: 'admin-1',
      purpose: '支援措置対象者の本人対応',
      action: 'residents.read',
      subjects: ['p-2'],
      fields: ['address'],
      restrictedReason: '本人からの申出',
      requestId: 'r4',
    });
  });
  afterAll(async () => app?.close());

  it('filters by client, staff, person, visit, purpose, action, restricted access and time', async () => {
    expect(await requestIds('client=counter-1')).toEqual(['r1', 'r2']);
    expect(await requestIds('staff=staff-1')).toEqual(['r1', 'r3']);
    expect(await requestIds('person=p-2')).toEqual(['r2', 'r4']);
    expect(await requestIds('visit=v-1')).toEqual(['r2']);
    expect(await requestIds(`purpose=${encodeURIComponent('受付')}`)).toEqual(['r1']);
    expect(await requestIds(`purpose=${encodeURIComponent('100%')}`)).toEqual(['r3']);
    expect(await requestIds(`purpose=${encodeURIComponent('%')}`)).toEqual(['r3']);
    expect(await requestIds('action=residents.read')).toEqual(['r1', 'r4']);
    expect(await requestIds('restricted=true')).toEqual(['r4']);
    expect(await requestIds(`from=${between}`)).toEqual(['r3', 'r4']);
    expect(await requestIds(`to=${between}`)).toEqual(['r1', 'r2']);
    expect(await requestIds(`client=counter-1&staff=staff-2&person=p-1&to=${between}`)).toEqual(['r2']);
    expect(await requestIds('client=counter-2&person=p-1')).toEqual([]);
  });

  it('keeps the subject and actor parameters working', async () => {
    expect(await requestIds('subject=p-1')).toEqual(['r1', 'r2']);
    expect(await requestIds('actor=staff-1')).toEqual(['r1', 'r3']);
    expect(await requestIds('actor=admin-1')).toEqual(['r4']);
    expect(await requestIds('subject=p-2&person=p-1')).toEqual(['r2']);
  });

  it('answers newest first with the total, paging with limit and offset', async () => {
    const page = await list('limit=2&offset=1');
    expect(page.total).toBe(4);
    expect(page.items.map((i) => i.requestId)).toEqual(['r3', 'r2']);
  });

  it('gives each item its chain link, so that an auditor can recompute every hash from the answer', async () => {
    const { items } = await list('limit=500');
    const oldestFirst = [...items].reverse();
    let prev = GENESIS_HASH;
    for (const [i, item] of oldestFirst.entries()) {
      expect(item.chain.seq).toBe(i + 1);
      expect(item.chain.prevHash).toBe(prev);
      const digest = contentDigest({
        clientId: item.clientId,
        staffId: item.staffId ?? null,
        visitId: item.visitId ?? null,
        purpose: item.purpose ?? null,
        action: item.action,
        subjects: item.subjects,
        fields: item.fields,
        restrictedReason: item.restrictedReason ?? null,
        requestId: item.requestId ?? null,
      });
      expect(rowHash({ seq: item.chain.seq, id: item.id, at: item.at, prevHash: prev }, digest)).toBe(
        item.chain.hash,
      );
      prev = item.chain.hash;
    }
    expect(items[0]!.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('refuses a malformed time and callers without audit:read', async () => {
    const bad = await app.inject({
      method: 'GET',
      url: '/v1/audit?from=yesterday',
      headers: auth(keys.auditor),
    });
    expect(bad.statusCode).toBe(400);
    for (const url of ['/v1/audit', '/v1/audit/verify']) {
      const res = await app.inject({ method: 'GET', url, headers: auth(keys.counter) });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('HUB_ERR_FORBIDDEN');
    }
  });

  it('answers the chain check as JSON: intact, then the first bad row after a change by SQL', async () => {
    const intact = await app.inject({ method: 'GET', url: '/v1/audit/verify', headers: auth(keys.auditor) });
    expect(intact.statusCode).toBe(200);
    expect(intact.json()).toMatchObject({ ok: true, checked: 4, head: { seq: 4 } });
    const verify = (anchor: string) =>
      app.inject({ method: 'GET', url: `/v1/audit/verify?anchor=${anchor}`, headers: auth(keys.auditor) });
    expect((await verify(`4:${intact.json().head.hash}`)).json()).toMatchObject({ ok: true });
    expect((await verify(`2:${'c'.repeat(64)}`)).json()).toMatchObject({
      ok: false,
      firstBad: { seq: 2, problem: 'anchor-mismatch' },
    });
    expect((await verify('4:xyz')).statusCode).toBe(400);
    await sql`update audit_log set fields = '[]'::jsonb where request_id = 'r2'`.execute(app.hub.store.db);
    const r2 = (await list('visit=v-1')).items[0]!;
    const broken = await app.inject({ method: 'GET', url: '/v1/audit/verify', headers: auth(keys.auditor) });
    expect(broken.statusCode).toBe(200);
    expect(broken.json()).toMatchObject({
      ok: false,
      checked: 1,
      firstBad: { id: r2.id, seq: 2, problem: 'content-modified' },
    });
  });

  it('finds nothing by person or subject for a restricted person unless admin gives a reason', async () => {
    await sql`insert into persons (id, source_key, municipality_code, atena_no, status, kana_key, name_key,
      restricted, record, provenance_map, source_line, record_hash, last_import_id)
      values ('p-r', 'test:p-r', '999999', '99', 'resident', 'ﾃｽﾄ', 'テスト', true, '{}', 'none', 0, 'x', 'none')`.execute(
      app.hub.store.db,
    );
    await app.hub.audit.record({
      clientId: 'counter-1',
      action: 'households.read',
      subjects: ['p-1', 'p-r'],
      fields: [],
      requestId: 'r5',
    });
    for (const query of ['person=p-r', 'subject=p-r', 'person=p-1&subject=p-r', 'person=p-r&subject=p-1'])
      expect(await list(query), query).toEqual({ items: [], total: 0 });
    const shown = (await list('person=p-1')).items.find((i) => i.requestId === 'r5')!;
    expect(shown.subjects).toEqual(['p-1']);
    const admin = await app.inject({
      method: 'GET',
      url: '/v1/audit?person=p-r',
      headers: auth(keys.admin, { 'x-restricted-access': encodeURIComponent('監査') }),
    });
    expect(admin.json().items.map((i: AuditRecord) => [i.requestId, i.subjects])).toEqual([
      ['r5', ['p-1', 'p-r']],
    ]);
  });
});
