import { randomBytes } from 'node:crypto';
import { Migrator, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { verifyAuditChain } from '../../src/audit/verify-chain.ts';
import { createAuditRepository } from '../../src/store/audit-repo.ts';
import { createStore, type Store } from '../../src/store/db.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { keys, onPostgres, personal, testApp } from '../helpers/app.ts';

const entry = (i: number, clientId = 'counter-1') => ({
  clientId,
  purpose: `照会 ${i}`,
  action: 'residents.read',
  subjects: [`p-${i}`],
  fields: ['name'],
});

/** A second store on the same database: another hub instance on PostgreSQL. */
async function secondInstance(app: App): Promise<Store | undefined> {
  if (!onPostgres) return undefined;
  return createStore({
    dataDir: 'memory://',
    databaseUrl: process.env.DATABASE_URL!,
    databaseSchema: app.hub.config.databaseSchema!,
  });
}

describe('audit chain: appends', () => {
  let app: App;
  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => app?.close());

  it('keeps one gapless chain when many requests and a second hub instance append at once', async () => {
    const other = await secondInstance(app);
    const otherAudit = createAuditRepository(other?.db ?? app.hub.store.db);
    try {
      await Promise.all([
        ...Array.from({ length: 40 }, (_, i) => app.hub.audit.record(entry(i))),
        ...Array.from({ length: 40 }, (_, i) => otherAudit.record(entry(i, 'counter-2'))),
      ]);
    } finally {
      await other?.close();
    }
    const result = await verifyAuditChain(app.hub.audit);
    expect(result).toMatchObject({ ok: true, checked: 80, head: { seq: 80 } });
    const rows = await app.hub.store.db
      .selectFrom('audit_log')
      .select(['id', 'seq'])
      .orderBy('seq')
      .execute();
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    expect(rows.map((r) => r.id)).toEqual([...rows.map((r) => r.id)].sort((a, b) => a - b));
  });

  it('hashes text as the database stores it, lone surrogates included', async () => {
    await app.hub.audit.record({ ...entry(1), purpose: 'bad \ud800 text', subjects: ['\udc00'] });
    expect((await verifyAuditChain(app.hub.audit)).ok).toBe(true);
  });

  it('fails the append and the request rather than writing an unchained row when the head is gone', async () => {
    await sql`delete from audit_chain_head`.execute(app.hub.store.db);
    const before = await app.hub.store.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    await expect(app.hub.audit.record(entry(1))).rejects.toMatchObject({ code: 'HUB_ERR_AUDIT_CHAIN_HEAD' });
    const res = await app.inject({
      method: 'GET',
      url: `/v1/residents?kana=${encodeURIComponent('テスト')}`,
      headers: personal(keys.counter),
    });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'HUB_ERR_AUDIT_CHAIN_HEAD' });
    expect(res.json()).not.toHaveProperty('items');
    const after = await app.hub.store.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });
});

describe('audit chain: migration 0007', () => {
  const schema = onPostgres ? `t_${randomBytes(6).toString('hex')}` : undefined;
  let store: Store;
  afterAll(async () => {
    await store?.close();
    if (!schema) return;
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  });

  it('chains the rows already there in id order, and later appends continue that chain', async () => {
    store = await createStore({
      dataDir: 'memory://',
      ...(schema ? { databaseUrl: process.env.DATABASE_URL!, databaseSchema: schema } : {}),
    });
    const { rows } = await sql<{ s: string }>`select current_schema() as s`.execute(store.db);
    const migrator = new Migrator({
      db: store.db,
      provider: { getMigrations: async () => migrations },
      migrationTableSchema: rows[0]!.s,
    });
    const before = await migrator.migrateTo('0006-jobs');
    expect(before.error).toBeUndefined();
    // rows as the hub wrote them before the chain: microsecond times, a gap in the ids
    await sql`insert into audit_log (at, client_id, staff_id, purpose, action, subjects, fields, request_id) values
      ('2026-04-01 09:00:00.123456+09', 'counter-1', 'staff-1', '転入', 'visits.create', '["p-1","p-2"]', '["name"]', 'r1'),
      ('2026-04-01 09:00:01.5+09', 'counter-1', null, null, 'residents.read', '["p-1"]', '[]', null),
      ('2026-04-01 09:00:02+09', 'counter-2', null, 'x', 'residents.search', '[]', '["kana"]', 'r3')`.execute(
      store.db,
    );
    await sql`delete from audit_log where client_id = 'counter-2'`.execute(store.db);
    await sql`insert into audit_log (client_id, action, subjects, fields, restricted_reason) values
      ('admin-1', 'residents.read', '["p-3"]', '["address"]', 'DV等支援措置の本人対応')`.execute(store.db);
    await store.migrate();
    const chained = await store.db
      .selectFrom('audit_log')
      .select(['id', 'seq', 'prev_hash'])
      .orderBy('id')
      .execute();
    expect(chained.map((r) => Number(r.seq))).toEqual([1, 2, 3]);
    expect(chained[0]!.prev_hash).toBe('0'.repeat(64));
    const audit = createAuditRepository(store.db);
    expect(await verifyAuditChain(audit)).toMatchObject({ ok: true, checked: 3, head: { seq: 3 } });
    await audit.record(entry(9));
    expect(await verifyAuditChain(audit)).toMatchObject({ ok: true, checked: 4, head: { seq: 4 } });
    await sql`update audit_log set at = at + interval '1 microsecond' where seq = 1`.execute(store.db);
    expect((await verifyAuditChain(audit)).ok).toBe(true);
    await sql`update audit_log set at = at + interval '1 millisecond' where seq = 1`.execute(store.db);
    expect((await verifyAuditChain(audit)).firstBad).toMatchObject({ seq: 1, problem: 'content-modified' });
  });
});

describe('audit chain: migration 0007 after later migrations', () => {
  it('is applied to a database that already has migrations numbered after it', async () => {
    const schema = onPostgres ? `t_${randomBytes(6).toString('hex')}` : undefined;
    const store = await createStore({
      dataDir: 'memory://',
      ...(schema ? { databaseUrl: process.env.DATABASE_URL!, databaseSchema: schema } : {}),
    });
    try {
      const { rows } = await sql<{ s: string }>`select current_schema() as s`.execute(store.db);
      const { '0007-audit-chain': _chain, ...others } = migrations;
      const earlier = new Migrator({
        db: store.db,
        provider: { getMigrations: async () => others },
        migrationTableSchema: rows[0]!.s,
      });
      expect((await earlier.migrateToLatest()).error).toBeUndefined();
      await sql`insert into audit_log (client_id, action, subjects, fields) values ('counter-1', 'residents.read', '[]', '[]')`.execute(
        store.db,
      );
      const result = await store.migrate();
      expect(result.results?.map((r) => r.migrationName)).toEqual(['0007-audit-chain']);
      expect(await verifyAuditChain(createAuditRepository(store.db))).toMatchObject({ ok: true, checked: 1 });
    } finally {
      await store.close();
      if (schema) {
        const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
        await client.connect();
        await client.query(`drop schema if exists "${schema}" cascade`);
        await client.end();
      }
    }
  });
});
