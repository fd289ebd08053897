import { type Kysely, sql } from 'kysely';
import { contentDigest, GENESIS_HASH, rowHash } from '../../audit/chain-hash.ts';

interface OldRow {
  id: number;
  at_text: string;
  client_id: string;
  staff_id: string | null;
  visit_id: string | null;
  purpose: string | null;
  action: string;
  subjects: string[];
  fields: string[];
  restricted_reason: string | null;
  request_id: string | null;
}

/**
 * Chains the audit log: each row gets its place (`seq`), the previous row's hash and its own
 * SHA-256 hash; `audit_chain_head` (one row) holds the last place and hash, and is locked by
 * every append. Rows already there are chained in id order.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`lock table audit_log in exclusive mode`.execute(db);
  await sql`alter table audit_log add column seq bigint, add column prev_hash text, add column hash text`.execute(
    db,
  );
  let seq = 0;
  let prevHash = GENESIS_HASH;
  let lastId = 0;
  for (;;) {
    const { rows } = await sql<OldRow>`
      select id, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at_text, client_id,
             staff_id, visit_id, purpose, action, subjects, fields, restricted_reason, request_id
        from audit_log where id > ${lastId} order by id limit 1000`.execute(db);
    if (rows.length === 0) break;
    const values = rows.map((r) => {
      seq += 1;
      const hash = rowHash(
        { seq, id: r.id, at: r.at_text, prevHash },
        contentDigest({
          clientId: r.client_id,
          staffId: r.staff_id,
          visitId: r.visit_id,
          purpose: r.purpose,
          action: r.action,
          subjects: r.subjects,
          fields: r.fields,
          restrictedReason: r.restricted_reason,
          requestId: r.request_id,
        }),
      );
      const value = sql`(${r.id}::integer, ${seq}::bigint, ${prevHash}, ${hash})`;
      prevHash = hash;
      return value;
    });
    await sql`update audit_log set seq = v.seq, prev_hash = v.prev_hash, hash = v.hash
      from (values ${sql.join(values)}) as v (id, seq, prev_hash, hash) where audit_log.id = v.id`.execute(
      db,
    );
    lastId = rows[rows.length - 1]!.id;
  }
  await sql`alter table audit_log alter column seq set not null, alter column prev_hash set not null,
    alter column hash set not null`.execute(db);
  await sql`create unique index audit_log_seq on audit_log (seq)`.execute(db);
  // the auditor's selective filters (GET /v1/audit?staff=, ?visit=); persons have the gin index
  await sql`create index audit_log_staff on audit_log (staff_id) where staff_id is not null`.execute(db);
  await sql`create index audit_log_visit on audit_log (visit_id) where visit_id is not null`.execute(db);
  await sql`create table audit_chain_head (
    id smallint primary key check (id = 1),
    seq bigint not null,
    hash text not null
  )`.execute(db);
  await sql`insert into audit_chain_head (id, seq, hash) values (1, ${seq}, ${prevHash})`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table audit_chain_head`.execute(db);
  await sql`drop index audit_log_staff, audit_log_visit, audit_log_seq`.execute(db);
  await sql`alter table audit_log drop column seq, drop column prev_hash, drop column hash`.execute(db);
}
