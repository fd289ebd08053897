import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { contentDigest, rowHash } from '../../src/audit/chain-hash.ts';
import { type AuditAnchor, verifyAuditChain } from '../../src/audit/verify-chain.ts';
import type { AuditVerification } from '../../src/schemas/audit.ts';
import { createAuditRepository } from '../../src/store/audit-repo.ts';
import type { Database } from '../../src/store/types.ts';
import { testApp } from '../helpers/app.ts';

const ROWS = 8;

class Rollback extends Error {
  constructor(readonly result: AuditVerification) {
    super('rollback');
  }
}

describe('audit chain: verify catches tampering by SQL and names the first bad row', () => {
  let app: App;
  let db: Kysely<Database>;
  const ids: number[] = [];

  /** Tampers inside a transaction, verifies there, and rolls back: every test sees the same chain. */
  async function verifyAfter(
    tamper: (trx: Kysely<Database>) => Promise<void>,
    options: { anchor?: AuditAnchor } = {},
  ): Promise<AuditVerification> {
    try {
      await db.transaction().execute(async (trx) => {
        await tamper(trx);
        throw new Rollback(await verifyAuditChain(createAuditRepository(trx), options));
      });
    } catch (e) {
      if (e instanceof Rollback) return e.result;
      throw e;
    }
    throw new Error('unreachable');
  }

  const idAt = (seq: number) => ids[seq - 1]!;

  beforeAll(async () => {
    app = await testApp();
    db = app.hub.store.db;
    for (let i = 1; i <= ROWS; i++)
      await app.hub.audit.record({
        clientId: i % 2 ? 'counter-1' : 'counter-2',
        ...(i % 3 ? { staffId: `staff-${i}` } : {}),
        purpose: `窓口での本人確認 ${i}`,
        action: 'residents.read',
        subjects: [`p-${i}`, `p-${i + 1}`],
        fields: ['name', 'address'],
        requestId: `req-${i}`,
      });
    const rows = await db.selectFrom('audit_log').select(['id', 'seq']).orderBy('seq').execute();
    ids.push(...rows.map((r) => r.id));
  });
  afterAll(async () => app?.close());

  it('finds an untouched chain intact and reports its head', async () => {
    const result = await verifyAuditChain(app.hub.audit);
    const last = await db
      .selectFrom('audit_log')
      .select('hash')
      .where('seq', '=', ROWS)
      .executeTakeFirstOrThrow();
    expect(result).toEqual({ ok: true, checked: ROWS, head: { seq: ROWS, hash: last.hash } });
  });

  it('names a row whose purpose was modified', async () => {
    const result = await verifyAfter((trx) =>
      trx
        .updateTable('audit_log')
        .set({ purpose: '書き換え' })
        .where('seq', '=', 3)
        .execute()
        .then(() => {}),
    );
    expect(result.ok).toBe(false);
    expect(result.checked).toBe(2);
    expect(result.firstBad).toMatchObject({ id: idAt(3), seq: 3, problem: 'content-modified' });
    expect(result.firstBad!.message).toContain(`行 id=${idAt(3)}（連番 3）`);
    expect(result.firstBad!.detail).toContain(`row id=${idAt(3)} (seq 3)`);
  });

  it('names a row whose subjects, time or request id were modified', async () => {
    const changes = [
      sql`update audit_log set subjects = '["p-5"]'::jsonb where seq = 5`,
      sql`update audit_log set at = at - interval '1 second' where seq = 5`,
      sql`update audit_log set request_id = null where seq = 5`,
      sql`update audit_log set staff_id = 'staff-x' where seq = 5`,
    ];
    for (const change of changes) {
      const result = await verifyAfter(async (trx) => void (await change.execute(trx)));
      expect(result.firstBad, change.compile(db).sql).toMatchObject({
        id: idAt(5),
        problem: 'content-modified',
      });
    }
  });

  it('names a row whose content was modified and its hash recomputed: the next row no longer links', async () => {
    const result = await verifyAfter(async (trx) => {
      await sql`update audit_log set hash = ${'f'.repeat(64)} where seq = 4`.execute(trx);
    });
    expect(result.firstBad).toMatchObject({ id: idAt(4), seq: 4, problem: 'content-modified' });
    const relinked = await verifyAfter(async (trx) => {
      const row = await trx
        .selectFrom('audit_log')
        .selectAll()
        .where('seq', '=', 4)
        .executeTakeFirstOrThrow();
      const at = await sql<{
        t: string;
      }>`select to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as t from audit_log where seq = 4`.execute(
        trx,
      );
      const hash = rowHash(
        { seq: 4, id: row.id, at: at.rows[0]!.t, prevHash: row.prev_hash },
        contentDigest({
          clientId: row.client_id,
          staffId: row.staff_id,
          visitId: row.visit_id,
          purpose: '書き換え',
          action: row.action,
          subjects: row.subjects,
          fields: row.fields,
          restrictedReason: row.restricted_reason,
          requestId: row.request_id,
        }),
      );
      await trx.updateTable('audit_log').set({ purpose: '書き換え', hash }).where('seq', '=', 4).execute();
    });
    expect(relinked.firstBad).toMatchObject({ id: idAt(5), seq: 5, problem: 'unlinked' });
    expect(relinked.firstBad!.message).toContain(`前の行 id=${idAt(4)}`);
  });

  it('names the row after a deleted middle row', async () => {
    const result = await verifyAfter((trx) =>
      trx
        .deleteFrom('audit_log')
        .where('seq', '=', 4)
        .execute()
        .then(() => {}),
    );
    expect(result).toMatchObject({ ok: false, checked: 3 });
    expect(result.firstBad).toMatchObject({ id: idAt(5), seq: 5, problem: 'missing-before' });
    expect(result.firstBad!.message).toContain('連番 4 の行がありません');
  });

  it('reports rows deleted at the end', async () => {
    const result = await verifyAfter((trx) =>
      trx
        .deleteFrom('audit_log')
        .where('seq', '>=', ROWS - 1)
        .execute()
        .then(() => {}),
    );
    expect(result.firstBad).toMatchObject({ id: null, seq: ROWS - 1, problem: 'missing-at-end' });
    expect(result.firstBad!.detail).toContain(`after the last row id=${idAt(ROWS - 2)}`);
  });

  it('names the first of two swapped rows', async () => {
    const result = await verifyAfter(async (trx) => {
      await sql`update audit_log set seq = -3 where seq = 3`.execute(trx);
      await sql`update audit_log set seq = 3 where seq = 4`.execute(trx);
      await sql`update audit_log set seq = 4 where seq = -3`.execute(trx);
    });
    expect(result.firstBad).toMatchObject({ id: idAt(4), seq: 3, problem: 'unlinked' });
  });

  it('names the row displaced by a well-forged row inserted out of order in the middle', async () => {
    const result = await verifyAfter(async (trx) => {
      await sql`update audit_log set seq = -(seq + 1) where seq >= 3`.execute(trx);
      await sql`update audit_log set seq = -seq where seq < 0`.execute(trx);
      await sql`update audit_chain_head set seq = seq + 1`.execute(trx);
      const prev = await trx
        .selectFrom('audit_log')
        .select('hash')
        .where('seq', '=', 2)
        .executeTakeFirstOrThrow();
      const content = {
        clientId: 'counter-1',
        staffId: null,
        visitId: null,
        purpose: '後から挿入',
        action: 'residents.read',
        subjects: ['p-9'],
        fields: ['name'],
        restrictedReason: null,
        requestId: null,
      };
      const id = (
        await sql<{ id: number }>`select nextval(pg_get_serial_sequence('audit_log', 'id')) as id`.execute(
          trx,
        )
      ).rows[0]!.id;
      const at = '2026-01-01T00:00:00.000Z';
      const hash = rowHash({ seq: 3, id: Number(id), at, prevHash: prev.hash }, contentDigest(content));
      await sql`insert into audit_log (id, seq, at, client_id, purpose, action, subjects, fields, prev_hash, hash)
        overriding system value values (${Number(id)}, 3, ${at}::timestamptz, ${content.clientId}, ${content.purpose},
        ${content.action}, '["p-9"]'::jsonb, '["name"]'::jsonb, ${prev.hash}, ${hash})`.execute(trx);
    });
    expect(result).toMatchObject({ ok: false, checked: 3 });
    expect(result.firstBad).toMatchObject({ id: idAt(3), seq: 4, problem: 'out-of-order' });
  });

  it('names a row inserted by hand after the last one', async () => {
    const insert = (trx: Kysely<Database>) =>
      sql`insert into audit_log (client_id, action, subjects, fields, seq, prev_hash, hash)
        select 'intruder', 'residents.read', '[]'::jsonb, '[]'::jsonb, ${ROWS + 1}, hash, ${'a'.repeat(64)}
          from audit_log where seq = ${ROWS}`.execute(trx);
    const outside = await verifyAfter(async (trx) => void (await insert(trx)));
    const intruder = (id: number) => id > idAt(ROWS);
    expect(outside.firstBad).toMatchObject({ seq: ROWS + 1, problem: 'beyond-head' });
    expect(intruder(outside.firstBad!.id!)).toBe(true);
    const withHead = await verifyAfter(async (trx) => {
      await insert(trx);
      await sql`update audit_chain_head set seq = ${ROWS + 1}, hash = ${'a'.repeat(64)}`.execute(trx);
    });
    expect(withHead.firstBad).toMatchObject({ seq: ROWS + 1, problem: 'content-modified' });
  });

  it('reports a head that was changed or removed', async () => {
    const changed = await verifyAfter(async (trx) => {
      await sql`update audit_chain_head set hash = ${'b'.repeat(64)}`.execute(trx);
    });
    expect(changed.firstBad).toMatchObject({ id: idAt(ROWS), seq: ROWS, problem: 'head-mismatch' });
    const removed = await verifyAfter(async (trx) => {
      await sql`delete from audit_chain_head`.execute(trx);
    });
    expect(removed).toMatchObject({ ok: false, head: null, firstBad: { problem: 'head-missing' } });
  });

  /** What someone who knows the formula can do: change a row and rehash everything after it. */
  async function rewriteFrom(trx: Kysely<Database>, seq: number) {
    await sql`update audit_log set purpose = '書き換え' where seq = ${seq}`.execute(trx);
    const { rows } = await createAuditRepository(trx).chainBatch(seq - 1, 1000);
    let prevHash = (
      await trx
        .selectFrom('audit_log')
        .select('hash')
        .where('seq', '=', seq - 1)
        .executeTakeFirstOrThrow()
    ).hash;
    for (const r of rows) {
      const hash = rowHash({ ...r, prevHash }, contentDigest(r));
      await trx
        .updateTable('audit_log')
        .set({ prev_hash: prevHash, hash })
        .where('seq', '=', r.seq)
        .execute();
      prevHash = hash;
    }
    await sql`update audit_chain_head set hash = ${prevHash}`.execute(trx);
  }

  it('misses a consistent rewrite without an anchor, and names the anchored row with one', async () => {
    const anchorRow = await db
      .selectFrom('audit_log')
      .select(['seq', 'hash'])
      .where('seq', '=', 6)
      .executeTakeFirstOrThrow();
    const anchor = { seq: Number(anchorRow.seq), hash: anchorRow.hash };
    expect((await verifyAfter((trx) => rewriteFrom(trx, 3))).ok).toBe(true);
    expect((await verifyAfter(async () => {}, { anchor })).ok).toBe(true);
    const found = await verifyAfter((trx) => rewriteFrom(trx, 3), { anchor });
    expect(found).toMatchObject({ ok: false, checked: 5 });
    expect(found.firstBad).toMatchObject({ id: idAt(6), seq: 6, problem: 'anchor-mismatch' });
  });

  it('reports an anchored row that is gone after the end was cut and the head rewritten', async () => {
    const head = await db.selectFrom('audit_chain_head').select(['seq', 'hash']).executeTakeFirstOrThrow();
    const anchor = { seq: Number(head.seq), hash: head.hash };
    const cut = async (trx: Kysely<Database>) => {
      await trx.deleteFrom('audit_log').where('seq', '>', 5).execute();
      await sql`update audit_chain_head set seq = 5, hash = (select hash from audit_log where seq = 5)`.execute(
        trx,
      );
    };
    expect((await verifyAfter(cut)).ok).toBe(true);
    const found = await verifyAfter(cut, { anchor });
    expect(found.firstBad).toMatchObject({ id: null, seq: ROWS, problem: 'anchor-missing' });
    expect(found.firstBad!.message).toContain(`控えの連番 ${ROWS} の行がありません（連鎖は連番 5 までです）`);
  });
});
