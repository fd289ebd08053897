import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { requeued } from './deliveries-repo.ts';
import type { Database } from './types.ts';

type Counts = { pending: number; delivered: number; failed: number; dead: number };

/** Accepted submissions of a visit, each with its deliveries counted by status. */
export function createSubmissionsRepository(db: Kysely<Database>) {
  return {
    /** A submission, only when its visit belongs to the client. */
    async getForClient(id: string, clientId: string) {
      return db
        .selectFrom('form_submissions as s')
        .innerJoin('visits as v', 'v.id', 's.visit_id')
        .selectAll('s')
        .where('s.id', '=', id)
        .where('v.client_id', '=', clientId)
        .executeTakeFirst();
    },
    /** A submission's deliveries, by target. */
    async deliveries(id: string) {
      return db
        .selectFrom('deliveries')
        .selectAll()
        .where('submission_id', '=', id)
        .orderBy('target')
        .execute();
    },
    /** Puts a submission's failed and dead deliveries back in the outbox, due now. */
    async requeue(id: string) {
      await db
        .updateTable('deliveries')
        .set(requeued())
        .where('submission_id', '=', id)
        .where('status', 'in', ['failed', 'dead'])
        .execute();
    },
    /** Keeps a signature image with a submission (a new one replaces the old). */
    async saveSignature(submissionId: string, png: Buffer, size: { width: number; height: number }) {
      const row = {
        submission_id: submissionId,
        png,
        sha256: createHash('sha256').update(png).digest('hex'),
        width: size.width,
        height: size.height,
        created_at: new Date(),
      };
      await db
        .insertInto('submission_signatures')
        .values(row)
        .onConflict((oc) =>
          oc.column('submission_id').doUpdateSet({
            png: row.png,
            sha256: row.sha256,
            width: row.width,
            height: row.height,
            created_at: row.created_at,
          }),
        )
        .execute();
    },
    async signature(submissionId: string) {
      return db
        .selectFrom('submission_signatures')
        .selectAll()
        .where('submission_id', '=', submissionId)
        .executeTakeFirst();
    },
    /** The accepted values of a visit's submissions, oldest first. */
    async valuesForVisit(visitId: string) {
      const rows = await db
        .selectFrom('form_submissions')
        .select(['id', 'form_id', 'record'])
        .where('visit_id', '=', visitId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map((r) => ({ id: r.id, formId: r.form_id, values: r.record.values }));
    },
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
