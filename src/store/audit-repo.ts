import { type Kysely, sql } from 'kysely';
import { type AuditContent, CHAIN_FORMAT, contentDigest, storable } from '../audit/chain-hash.ts';
import { HubError } from '../errors.ts';
import type { AuditFilters, AuditRecord } from '../schemas/audit.ts';
import { likeEscape } from './like.ts';
import type { Database } from './types.ts';

export interface AuditEntry {
  clientId: string;
  staffId?: string;
  visitId?: string;
  purpose?: string;
  action: string;
  /** The persons whose data was read or written (hub person ids). */
  subjects: string[];
  fields: string[];
  restrictedReason?: string;
  requestId?: string;
}

export type AuditQuery = AuditFilters & { limit: number; offset: number };

/** One row as the chain check reads it: `at` already in its hashed text form. */
export interface AuditChainRow extends AuditContent {
  id: number;
  seq: number;
  at: string;
  prevHash: string;
  hash: string;
}

/** A batch of rows after a place, and the chain head, read in one statement (one snapshot). */
export interface AuditChainBatch {
  head: { seq: number; hash: string } | null;
  rows: AuditChainRow[];
}

/** `at` as hashed: UTC with milliseconds, e.g. 2026-12-02T07:51:50.123Z. */
const atText = sql<string>`to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export function createAuditRepository(db: Kysely<Database>) {
  return {
    /**
     * Appends one row to the chain and resolves once it is committed; the caller awaits it
     * before the personal data leaves. One statement: it locks the one-row chain head (so that
     * concurrent appends, from this process or other instances, queue), takes the next place,
     * inserts the row with its hash, and moves the head.
     */
    async record(e: AuditEntry): Promise<void> {
      const c: AuditContent = {
        clientId: storable(e.clientId),
        staffId: e.staffId === undefined ? null : storable(e.staffId),
        visitId: e.visitId === undefined ? null : storable(e.visitId),
        purpose: e.purpose === undefined ? null : storable(e.purpose),
        action: storable(e.action),
        subjects: e.subjects.map(storable),
        fields: e.fields.map(storable),
        restrictedReason: e.restrictedReason === undefined ? null : storable(e.restrictedReason),
        requestId: e.requestId === undefined ? null : storable(e.requestId),
      };
      // The hash formula is rowHash() in audit/chain-hash.ts, computed here in SQL because the
      // place, id and time are only known once the head is locked.
      const { rows } = await sql<{ seq: number }>`
        with head as (
          select seq, hash from audit_chain_head where id = 1 for update
        ), link as (
          select head.seq + 1 as seq, head.hash as prev_hash,
                 nextval(pg_get_serial_sequence('audit_log', 'id')) as id,
                 date_trunc('milliseconds', clock_timestamp()) as at
            from head
        ), appended as (
          insert into audit_log (id, seq, at, client_id, staff_id, visit_id, purpose, action, subjects,
                                 fields, restricted_reason, request_id, prev_hash, hash)
          overriding system value
          select link.id, link.seq, link.at, ${c.clientId}, ${c.staffId}, ${c.visitId}, ${c.purpose},
                 ${c.action}, ${JSON.stringify(c.subjects)}::jsonb, ${JSON.stringify(c.fields)}::jsonb,
                 ${c.restrictedReason}, ${c.requestId}, link.prev_hash,
                 encode(sha256(convert_to(concat_ws('|', ${CHAIN_FORMAT}::text, link.seq, link.id,
                   to_char(link.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), link.prev_hash,
                   ${contentDigest(c)}::text), 'UTF8')), 'hex')
            from link
          returning seq, hash
        )
        update audit_chain_head set seq = appended.seq, hash = appended.hash
          from appended where audit_chain_head.id = 1
        returning audit_chain_head.seq`.execute(db);
      if (rows.length !== 1) throw new HubError('HUB_ERR_AUDIT_CHAIN_HEAD');
    },

    /** Rows matching every given filter, newest first, with their place in the chain. */
    async search(q: AuditQuery): Promise<{ items: AuditRecord[]; total: number }> {
      let query = db.selectFrom('audit_log');
      for (const person of new Set([q.person, q.subject]))
        if (person) query = query.where('subjects', '@>', JSON.stringify([person]) as never);
      if (q.actor)
        query = query.where((eb) => eb.or([eb('client_id', '=', q.actor!), eb('staff_id', '=', q.actor!)]));
      if (q.client) query = query.where('client_id', '=', q.client);
      if (q.staff) query = query.where('staff_id', '=', q.staff);
      if (q.visit) query = query.where('visit_id', '=', q.visit);
      if (q.action) query = query.where('action', '=', q.action);
      if (q.purpose) query = query.where('purpose', 'ilike', `%${likeEscape(q.purpose)}%`);
      if (q.restricted !== undefined)
        query = query.where('restricted_reason', q.restricted ? 'is not' : 'is', null);
      if (q.from) query = query.where('at', '>=', new Date(q.from));
      if (q.to) query = query.where('at', '<', new Date(q.to));
      const rows = await query
        .selectAll()
        .select(atText.as('at_text'))
        .orderBy('seq', 'desc')
        .limit(q.limit)
        .offset(q.offset)
        .execute();
      const { total } = await query
        .select((eb) => eb.fn.countAll<number>().as('total'))
        .executeTakeFirstOrThrow();
      return {
        total: Number(total),
        items: rows.map((r) => ({
          id: r.id,
          at: r.at_text,
          clientId: r.client_id,
          ...(r.staff_id ? { staffId: r.staff_id } : {}),
          ...(r.visit_id ? { visitId: r.visit_id } : {}),
          ...(r.purpose ? { purpose: r.purpose } : {}),
          action: r.action,
          subjects: r.subjects,
          fields: r.fields,
          ...(r.restricted_reason ? { restrictedReason: r.restricted_reason } : {}),
          ...(r.request_id ? { requestId: r.request_id } : {}),
          chain: { seq: Number(r.seq), prevHash: r.prev_hash, hash: r.hash },
        })),
      };
    },

    /** Up to `limit` rows after place `afterSeq` in chain order, with the head of the same snapshot. */
    async chainBatch(afterSeq: number, limit: number): Promise<AuditChainBatch> {
      const { rows } = await sql<{
        head_seq: number | null;
        head_hash: string | null;
        id: number | null;
        seq: number;
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
        prev_hash: string;
        hash: string;
      }>`
        select h.seq as head_seq, h.hash as head_hash, a.*
          from (select 1) as one
          left join audit_chain_head h on h.id = 1
          left join lateral (
            select id, seq, ${atText} as at_text, client_id, staff_id, visit_id, purpose, action, subjects,
                   fields, restricted_reason, request_id, prev_hash, hash
              from audit_log where seq > ${afterSeq} order by seq limit ${limit}
          ) a on true`.execute(db);
      const first = rows[0];
      return {
        head:
          first?.head_seq != null && first.head_hash != null
            ? { seq: Number(first.head_seq), hash: first.head_hash }
            : null,
        rows: rows
          .filter((r) => r.id !== null)
          .map((r) => ({
            id: Number(r.id),
            seq: Number(r.seq),
            at: r.at_text,
            clientId: r.client_id,
            staffId: r.staff_id,
            visitId: r.visit_id,
            purpose: r.purpose,
            action: r.action,
            subjects: r.subjects,
            fields: r.fields,
            restrictedReason: r.restricted_reason,
            requestId: r.request_id,
            prevHash: r.prev_hash,
            hash: r.hash,
          })),
      };
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
