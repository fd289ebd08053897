import type { Kysely } from 'kysely';
import { HubError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { ExtraForm, VisitInput, VisitRecord } from '../schemas/visit.ts';
import type { Database } from '../store/types.ts';

/** Today in Japan (the counter's calendar day), as an ISO date. */
export function todayInJapan(now = new Date()): string {
  return new Date(now.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
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
        })
        .execute();
      return id;
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
