import type { Kysely } from 'kysely';
import type { Database } from './types.ts';

export interface AuditEntry {
  clientId: string;
  staffId?: string;
  visitId?: string;
  purpose?: string;
  action: string;
  subjects: string[];
  fields: string[];
  restrictedReason?: string;
  requestId?: string;
}

export interface AuditQuery {
  subject?: string;
  actor?: string;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

export function createAuditRepository(db: Kysely<Database>) {
  return {
    /** Writes one audit row; the caller awaits it before the personal data leaves. */
    async record(e: AuditEntry): Promise<void> {
      await db
        .insertInto('audit_log')
        .values({
          client_id: e.clientId,
          staff_id: e.staffId ?? null,
          visit_id: e.visitId ?? null,
          purpose: e.purpose ?? null,
          action: e.action,
          subjects: JSON.stringify(e.subjects),
          fields: JSON.stringify(e.fields),
          restricted_reason: e.restrictedReason ?? null,
          request_id: e.requestId ?? null,
        })
        .execute();
    },
    /** How many entries there are and when the last was written, for the operations dashboard. */
    async summary(): Promise<{ entries: number; lastAt?: string; chain: 'unverified' }> {
      const row = await db
        .selectFrom('audit_log')
        .select((eb) => [eb.fn.countAll<number>().as('entries'), eb.fn.max('at').as('last')])
        .executeTakeFirstOrThrow();
      return {
        entries: Number(row.entries),
        ...(row.last ? { lastAt: new Date(row.last).toISOString() } : {}),
        chain: 'unverified',
      };
    },
    async search(q: AuditQuery) {
      let query = db.selectFrom('audit_log');
      if (q.subject) query = query.where('subjects', '@>', JSON.stringify([q.subject]) as never);
      if (q.actor)
        query = query.where((eb) => eb.or([eb('client_id', '=', q.actor!), eb('staff_id', '=', q.actor!)]));
      if (q.from) query = query.where('at', '>=', new Date(q.from));
      if (q.to) query = query.where('at', '<', new Date(q.to));
      const rows = await query.selectAll().orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute();
      const { total } = await query
        .select((eb) => eb.fn.countAll<number>().as('total'))
        .executeTakeFirstOrThrow();
      return {
        total: Number(total),
        items: rows.map((r) => ({
          id: r.id,
          at: new Date(r.at).toISOString(),
          clientId: r.client_id,
          ...(r.staff_id ? { staffId: r.staff_id } : {}),
          ...(r.visit_id ? { visitId: r.visit_id } : {}),
          ...(r.purpose ? { purpose: r.purpose } : {}),
          action: r.action,
          subjects: r.subjects,
          fields: r.fields,
          ...(r.restricted_reason ? { restrictedReason: r.restricted_reason } : {}),
          ...(r.request_id ? { requestId: r.request_id } : {}),
        })),
      };
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
