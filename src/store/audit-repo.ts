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

/** At most this many entries share one append statement. */
const MAX_BATCH = 256;

function contentOf(e: AuditEntry): AuditContent {
  return {
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
}

interface Waiting {
  content: AuditContent;
  resolve(): void;
  reject(e: unknown): void;
}

export function createAuditRepository(db: Kysely<Database>) {
  /**
   * Appends entries to the chain, in the given order, in one statement (so one transaction and
   * one commit): it locks the one-row chain head (so that concurrent appends, from this process
   * or other instances, queue), takes the next places one after the other, inserts the rows with
   * their hashes, and moves the head to the last one.
   */
  async function appendBatch(on: Kysely<Database>, batch: readonly AuditContent[]): Promise<void> {
    const input = JSON.stringify(
      batch.map((c, i) => ({
        ord: i + 1,
        client_id: c.clientId,
        staff_id: c.staffId,
        visit_id: c.visitId,
        purpose: c.purpose,
        action: c.action,
        subjects: c.subjects,
        fields: c.fields,
        restricted_reason: c.restrictedReason,
        request_id: c.requestId,
        digest: contentDigest(c),
      })),
    );
    // The hash formula is rowHash() in audit/chain-hash.ts, computed here in SQL because the
    // place, id and time are only known once the head is locked; each row's hash is the next
    // row's prev_hash, hence the recursion over the entries in order.
    const { rows } = await sql<{ seq: number }>`
      with recursive head as (
        select seq, hash from audit_chain_head where id = 1 for update
      ), input as (
        select * from jsonb_to_recordset(${input}::jsonb) as x(
          ord int, client_id text, staff_id text, visit_id text, purpose text, action text,
          subjects jsonb, fields jsonb, restricted_reason text, request_id text, digest text)
      ), chain as (
        select i.ord, l.seq, l.id, l.at, l.prev_hash,
               encode(sha256(convert_to(concat_ws('|', ${CHAIN_FORMAT}::text, l.seq, l.id,
                 to_char(l.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), l.prev_hash,
                 i.digest), 'UTF8')), 'hex') as hash
          from input i
          cross join lateral (
            select head.seq + 1 as seq, head.hash as prev_hash,
                   nextval(pg_get_serial_sequence('audit_log', 'id')) as id,
                   date_trunc('milliseconds', clock_timestamp()) as at
              from head
          ) l
         where i.ord = 1
        union all
        select i.ord, l.seq, l.id, l.at, l.prev_hash,
               encode(sha256(convert_to(concat_ws('|', ${CHAIN_FORMAT}::text, l.seq, l.id,
                 to_char(l.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), l.prev_hash,
                 i.digest), 'UTF8')), 'hex')
          from chain c
          join input i on i.ord = c.ord + 1
          cross join lateral (
            select c.seq + 1 as seq, c.hash as prev_hash,
                   nextval(pg_get_serial_sequence('audit_log', 'id')) as id,
                   date_trunc('milliseconds', clock_timestamp()) as at
          ) l
      ), appended as (
        insert into audit_log (id, seq, at, client_id, staff_id, visit_id, purpose, action, subjects,
                               fields, restricted_reason, request_id, prev_hash, hash)
        overriding system value
        select c.id, c.seq, c.at, i.client_id, i.staff_id, i.visit_id, i.purpose, i.action, i.subjects,
               i.fields, i.restricted_reason, i.request_id, c.prev_hash, c.hash
          from chain c join input i on i.ord = c.ord
        returning seq, hash
      )
      update audit_chain_head set seq = last.seq, hash = last.hash
        from (select seq, hash from appended order by seq desc limit 1) last
       where audit_chain_head.id = 1
      returning audit_chain_head.seq`.execute(on);
    if (rows.length !== 1) throw new HubError('HUB_ERR_AUDIT_CHAIN_HEAD');
  }

  // Group commit: while one append is in flight, the entries that arrive wait and then go
  // together in the next statement, so that many concurrent requests share one lock of the
  // head and one commit instead of queueing one commit each.
  let waiting: Waiting[] = [];
  let flushing = false;

  /** Appends what waits, batch after batch, on one connection (see flush). */
  async function drain(on: Kysely<Database>): Promise<void> {
    for (;;) {
      if (waiting.length === 0) {
        // One turn of the event loop: reads that just came back add their entries now, and go
        // in the next batch on this connection instead of queueing for another behind reads.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (waiting.length === 0) return;
      }
      const batch = waiting.slice(0, MAX_BATCH);
      waiting = waiting.slice(batch.length);
      try {
        await appendBatch(
          on,
          batch.map((w) => w.content),
        );
        for (const w of batch) w.resolve();
      } catch (e) {
        if (batch.length === 1) {
          batch[0]!.reject(e);
          continue;
        }
        // One entry the database refuses must not fail the others: each alone.
        for (const w of batch) {
          try {
            await appendBatch(on, [w.content]);
            w.resolve();
          } catch (e1) {
            w.reject(e1);
          }
        }
      }
    }
  }

  /**
   * One flusher at a time. It keeps the connection it took while entries keep coming, so that
   * under load the audit does not queue for a pooled connection behind the reads it audits.
   */
  async function flush(): Promise<void> {
    flushing = true;
    try {
      await db.connection().execute(drain);
    } catch (e) {
      // No connection: every waiting entry fails (its request answers 500, nothing leaves).
      for (const w of waiting.splice(0)) w.reject(e);
    } finally {
      flushing = false;
      if (waiting.length > 0) void flush();
    }
  }

  return {
    /**
     * Appends one row to the chain and resolves once it is committed; the caller awaits it
     * before the personal data leaves. Entries that arrive while an append is in flight are
     * appended together, in arrival order, by the next statement (see appendBatch).
     */
    record(e: AuditEntry): Promise<void> {
      let content: AuditContent;
      try {
        content = contentOf(e);
      } catch (err) {
        return Promise.reject(err);
      }
      return new Promise<void>((resolve, reject) => {
        waiting.push({ content, resolve, reject });
        if (!flushing) void flush();
      });
    },
    /** How many entries there are and when the last was written, for the operations dashboard. */
    async summary(): Promise<{ entries: number; lastAt?: string }> {
      const row = await db
        .selectFrom('audit_log')
        .select((eb) => [eb.fn.countAll<number>().as('entries'), eb.fn.max('at').as('last')])
        .executeTakeFirstOrThrow();
      return {
        entries: Number(row.entries),
        ...(row.last ? { lastAt: new Date(row.last).toISOString() } : {}),
      };
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
