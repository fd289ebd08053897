import { type Kysely, sql } from 'kysely';
import { HubError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { ConsolidatedSignature } from '../schemas/consolidated.ts';
import type { ExtraForm, VisitInput, VisitRecord } from '../schemas/visit.ts';
import type { Database } from '../store/types.ts';

/** Today in Japan (the counter's calendar day), as an ISO date. */
export function todayInJapan(now = new Date()): string {
  return new Date(now.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
}

export interface VisitFilter {
  date?: string;
  staffId?: string;
  status?: 'open' | 'completed' | 'cancelled';
  lifeEvent?: string;
  /** Include visits opened with a restricted-access reason (only for a privileged viewer). */
  withRestricted: boolean;
  limit: number;
  offset: number;
}

export function createVisitsRepository(db: Kysely<Database>) {
  return {
    async create(clientId: string, input: VisitInput, restrictedReason?: string): Promise<string> {
      const at = new Date().toISOString();
      const id = newId('vis');
      const record: VisitRecord = {
        identity: { ...input.identity, at },
        consent: { ...input.consent, at },
        subjects: input.subjects,
        ...(restrictedReason ? { restrictedReason } : {}),
      };
      await db
        .insertInto('visits')
        .values({
          id,
          client_id: clientId,
          created_at: at,
          life_event: input.lifeEvent,
          reference_date: input.referenceDate ?? todayInJapan(),
          record: JSON.stringify(record),
          visit_date: todayInJapan(new Date(at)),
          staff_id: input.identity.verifiedBy,
        })
        .execute();
      return id;
    },
    /** A client's visits, newest first, narrowed by counter day, staff, status and life event. */
    async list(clientId: string, f: VisitFilter) {
      let q = db.selectFrom('visits').where('client_id', '=', clientId);
      if (f.date) q = q.where('visit_date', '=', f.date);
      if (f.staffId) q = q.where('staff_id', '=', f.staffId);
      if (f.status) q = q.where('status', '=', f.status);
      if (f.lifeEvent) q = q.where('life_event', '=', f.lifeEvent);
      // A visit opened with a restricted-access reason is seen only by privileged requests.
      if (!f.withRestricted) q = q.where(sql<string | null>`record->>'restrictedReason'`, 'is', null);
      const [{ total }] = (await q.select((eb) => eb.fn.countAll<string>().as('total')).execute()) as [
        { total: string },
      ];
      const rows = await q
        .selectAll('visits')
        .select((eb) =>
          eb
            .selectFrom('form_submissions')
            .whereRef('form_submissions.visit_id', '=', 'visits.id')
            .select((e) => e.fn.countAll<string>().as('n'))
            .as('submissions'),
        )
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(f.limit)
        .offset(f.offset)
        .execute();
      return { rows, total: Number(total) };
    },
    /** Completes or cancels an open visit; a closed one is not changed again. */
    async close(
      id: string,
      clientId: string,
      status: 'completed' | 'cancelled',
      by: string,
      reason?: string,
    ) {
      const result = await db
        .updateTable('visits')
        .set({ status, closed_at: new Date(), closed_by: by, close_reason: reason ?? null })
        .where('id', '=', id)
        .where('client_id', '=', clientId)
        .where('status', '=', 'open')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) {
        const row = await this.get(id, clientId);
        throw new HubError('HUB_ERR_VISIT_CLOSED', { visitId: id, status: row.status });
      }
    },
    /** Records the one signature of the consolidated application (まとめて申請書). */
    async signConsolidated(id: string, clientId: string, signature: ConsolidatedSignature): Promise<void> {
      const row = await this.get(id, clientId);
      await db
        .updateTable('visits')
        .set({ record: JSON.stringify({ ...row.record, consolidated: signature }) })
        .where('id', '=', id)
        .execute();
    },
    /** Records a form staff add beyond the visit's procedures, with their reason. */
    async addExtraForm(id: string, clientId: string, extra: ExtraForm): Promise<ExtraForm[]> {
      const row = await this.get(id, clientId);
      const extraForms = [...(row.record.extraForms ?? []).filter((x) => x.formId !== extra.formId), extra];
      await db
        .updateTable('visits')
        .set({ record: JSON.stringify({ ...row.record, extraForms }) })
        .where('id', '=', id)
        .execute();
      return extraForms;
    },
    /** Whether a visit id is one of the client's visits. */
    async belongsTo(id: string, clientId: string): Promise<boolean> {
      const row = await db
        .selectFrom('visits')
        .select('id')
        .where('id', '=', id)
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return !!row;
    },
    /** The visit, only for the client that opened it (another client's visit is not found). */
    async get(id: string, clientId: string) {
      const row = await db
        .selectFrom('visits')
        .selectAll()
        .where('id', '=', id)
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      if (!row) throw new HubError('HUB_ERR_NOT_FOUND', { what: '来庁記録' });
      return row;
    },
  };
}

export type VisitsRepository = ReturnType<typeof createVisitsRepository>;
