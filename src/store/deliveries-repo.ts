import { type Kysely, type Selectable, sql } from 'kysely';
import type { DeliveryFilter, DeliveryStatus, OutboxDelivery } from '../schemas/operations.ts';
import type { Database, DeliveriesTable } from './types.ts';

type DeliveryRow = Selectable<DeliveriesTable> & { form_id: string };

function toOutboxDelivery(d: DeliveryRow): OutboxDelivery {
  return {
    id: d.id,
    submissionId: d.submission_id,
    formId: d.form_id,
    target: d.target,
    status: d.status,
    attempts: d.attempts,
    ...(d.last_error ? { lastError: d.last_error } : {}),
    ...(d.status === 'pending' || d.status === 'failed'
      ? { nextAttemptAt: new Date(d.next_attempt_at).toISOString() }
      : {}),
    ...(d.delivered_at ? { deliveredAt: new Date(d.delivered_at).toISOString() } : {}),
    createdAt: new Date(d.created_at).toISOString(),
    ...(d.artifact ? { artifact: d.artifact } : {}),
  };
}

/** What operators read and do with the outbox across every client: lists, counts, replays. */
/**
 * A delivery back in the outbox, due now: attempts, lease and the file planned by the last
 * attempt are cleared, so a replay asked for by staff writes a new file.
 */
export function requeued() {
  return {
    status: 'pending' as const,
    attempts: 0,
    next_attempt_at: new Date(),
    claimed_until: null,
    claimed_by: null,
    file_name: null,
    file_sha256: null,
    file_rows: null,
    file_stage: null,
  };
}

export function createDeliveriesRepository(db: Kysely<Database>) {
  function filtered(f: DeliveryFilter) {
    let q = db.selectFrom('deliveries as d').innerJoin('form_submissions as s', 's.id', 'd.submission_id');
    if (f.status) q = q.where('d.status', '=', f.status);
    if (f.target) q = q.where('d.target', '=', f.target);
    if (f.submission) q = q.where('d.submission_id', '=', f.submission);
    if (f.since) q = q.where('d.created_at', '>=', new Date(f.since));
    return q;
  }

  /** Puts failed or dead deliveries back in the outbox, due now; resolves to how many. */
  async function requeue(where: { ids?: string[]; target?: string; statuses: DeliveryStatus[] }) {
    let q = db.updateTable('deliveries').set(requeued()).where('status', 'in', where.statuses);
    if (where.ids) q = q.where('id', 'in', where.ids);
    if (where.target) q = q.where('target', '=', where.target);
    const result = await q.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  return {
    async list(
      f: DeliveryFilter & { limit: number; offset: number },
    ): Promise<{ items: OutboxDelivery[]; total: number }> {
      const rows = await filtered(f)
        .selectAll('d')
        .select('s.form_id')
        .orderBy('d.created_at', 'desc')
        .orderBy('d.id', 'desc')
        .limit(f.limit)
        .offset(f.offset)
        .execute();
      const { total } = await filtered(f)
        .select((eb) => eb.fn.countAll<number>().as('total'))
        .executeTakeFirstOrThrow();
      return { items: rows.map(toOutboxDelivery), total: Number(total) };
    },

    async get(id: string): Promise<OutboxDelivery | undefined> {
      const row = await db
        .selectFrom('deliveries as d')
        .innerJoin('form_submissions as s', 's.id', 'd.submission_id')
        .selectAll('d')
        .select('s.form_id')
        .where('d.id', '=', id)
        .executeTakeFirst();
      return row ? toOutboxDelivery(row) : undefined;
    },

    /** Deliveries per target and status (every status present, zeros included by the caller). */
    async countsByTarget(): Promise<{ target: string; status: DeliveryStatus; count: number }[]> {
      const rows = await db
        .selectFrom('deliveries')
        .select(['target', 'status', (eb) => eb.fn.countAll<number>().as('count')])
        .groupBy(['target', 'status'])
        .orderBy('target')
        .execute();
      return rows.map((r) => ({ target: r.target, status: r.status, count: Number(r.count) }));
    },

    /** The outbox: deliveries still to make (pending or failed) and the oldest one's age. */
    async outbox(): Promise<{ depth: number; oldestAgeSeconds: number | null }> {
      const { rows } = await sql<{ depth: number | string; oldest: Date | string | null }>`
        select count(*) as depth, min(created_at) as oldest
        from deliveries where status in ('pending', 'failed')`.execute(db);
      const row = rows[0]!;
      const oldest = row.oldest ? new Date(row.oldest).getTime() : null;
      return {
        depth: Number(row.depth),
        oldestAgeSeconds: oldest === null ? null : Math.max(0, (Date.now() - oldest) / 1000),
      };
    },

    /** Replays one delivery that failed or died; false when it is not in such a state. */
    async redeliver(id: string): Promise<boolean> {
      return (await requeue({ ids: [id], statuses: ['failed', 'dead'] })) === 1;
    },

    /** Replays every dead delivery of a target, after its fault was fixed. */
    redeliverDead(target: string): Promise<number> {
      return requeue({ target, statuses: ['dead'] });
    },
  };
}

export type DeliveriesRepository = ReturnType<typeof createDeliveriesRepository>;
