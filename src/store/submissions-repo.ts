import type { Kysely } from 'kysely';
import type { Database } from './types.ts';

type Counts = { pending: number; delivered: number; failed: number; dead: number };

/** Accepted submissions of a visit, each with its deliveries counted by status. */
export function createSubmissionsRepository(db: Kysely<Database>) {
  return {
    async forVisit(visitId: string) {
      const rows = await db
        .selectFrom('form_submissions')
        .select(['id', 'form_id', 'created_at', 'record'])
        .where('visit_id', '=', visitId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      const deliveries = rows.length
        ? await db
            .selectFrom('deliveries')
            .select(['submission_id', 'status', (eb) => eb.fn.countAll<string>().as('n')])
            .where(
              'submission_id',
              'in',
              rows.map((r) => r.id),
            )
            .groupBy(['submission_id', 'status'])
            .execute()
        : [];
      return rows.map((r) => {
        const counts: Counts = { pending: 0, delivered: 0, failed: 0, dead: 0 };
        for (const d of deliveries) if (d.submission_id === r.id) counts[d.status] += Number(d.n);
        return {
          id: r.id,
          formId: r.form_id,
          createdAt: new Date(r.created_at).toISOString(),
          confirmedBy: r.record.confirmedBy,
          deliveries: counts,
        };
      });
    },
  };
}

export type SubmissionsRepository = ReturnType<typeof createSubmissionsRepository>;
