import type { FastifyBaseLogger } from 'fastify';
import { type Kysely, type Selectable, sql } from 'kysely';
import cron, { type ScheduledTask } from 'node-cron';
import type { Job } from '../config/hub-config.ts';
import type { Dispatcher } from '../delivery/dispatcher.ts';
import { HubError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { ImportOptions, ImportSource } from '../ingest/run-import.ts';
import type { Staging } from '../runtime/staging.ts';
import type { ImportRun } from '../schemas/import-run.ts';
import type { JobInfo, JobRun } from '../schemas/operations.ts';
import type { Database, JobRunsTable } from '../store/types.ts';
import { runInbound } from './inbound.ts';

/**
 * The jobs declared in HUB_CONFIG: run now or on their cron schedule, one runner per job
 * across instances (a PostgreSQL advisory lock held on its own connection; on the embedded
 * database there is one process, so it always holds), each run recorded with its counts.
 */
export function createJobs(deps: {
  db: Kysely<Database>;
  kind: 'pglite' | 'postgres';
  jobs: Job[];
  staging: Staging;
  dispatcher: Dispatcher;
  importFile(source: ImportSource, options: ImportOptions): Promise<ImportRun>;
  log: FastifyBaseLogger;
}) {
  const tasks: ScheduledTask[] = [];

  async function exclusive<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (deps.kind === 'pglite') return fn();
    return deps.db.connection().execute(async (conn) => {
      const key = sql`hashtext(${`madoguchi-hub:job:${name}`})`;
      const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${key}) as locked`.execute(
        conn,
      );
      if (!rows[0]?.locked) return undefined;
      try {
        return await fn();
      } finally {
        await sql`select pg_advisory_unlock(${key})`.execute(conn);
      }
    });
  }

  async function run(name: string, trigger: JobRun['trigger']): Promise<JobRun> {
    const job = deps.jobs.find((j) => j.name === name);
    if (!job) throw new HubError('HUB_ERR_NOT_FOUND', { what: `ジョブ ${name}` });
    const id = newId('job');
    const startedAt = new Date();
    await deps.db
      .insertInto('job_runs')
      .values({ id, job: name, trigger, status: 'running', counts: '{}', started_at: startedAt })
      .execute();
    let status: JobRun['status'] = 'succeeded';
    let counts: Record<string, number> = {};
    let error: string | null = null;
    try {
      const result = await exclusive(name, async () =>
        job.kind === 'inbound'
          ? runInbound(job, { db: deps.db, staging: deps.staging, importFile: deps.importFile })
          : deps.dispatcher.runOnce(),
      );
      if (result === undefined) {
        status = 'skipped';
        error = '別のインスタンスが実行中です';
      } else {
        counts = { ...result };
        if ((counts.failed ?? 0) > 0 || (counts.dead ?? 0) > 0) status = 'failed';
      }
    } catch (e) {
      status = 'failed';
      error = (e as Error).message;
      deps.log.error({ job: name, err: error }, 'job failed');
    }
    await deps.db
      .updateTable('job_runs')
      .set({ status, counts: JSON.stringify(counts), error, finished_at: new Date() })
      .where('id', '=', id)
      .execute();
    // This run, by its id: the job's newest run may be another instance's, still running.
    const row = await deps.db
      .selectFrom('job_runs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return toJobRun(row);
  }

  async function runs(
    job: string | undefined,
    limit: number,
    offset: number,
  ): Promise<{ items: JobRun[]; total: number }> {
    let q = deps.db.selectFrom('job_runs');
    if (job) q = q.where('job', '=', job);
    const rows = await q
      .selectAll()
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute();
    const { total } = await q.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    return {
      total: Number(total),
      items: rows.map(toJobRun),
    };
  }

  const list = () =>
    deps.jobs.map((j) => ({
      name: j.name,
      kind: j.kind,
      schedule: j.schedule,
      ...(j.kind === 'inbound' ? { adapter: j.adapter, dir: j.source.dir } : {}),
    }));

  return {
    list,
    /** Every job with the next time its schedule fires and its last run. */
    async overview(): Promise<JobInfo[]> {
      const out: JobInfo[] = [];
      for (const job of list()) {
        const last = (await runs(job.name, 1, 0)).items[0];
        const next = nextRun(job.schedule);
        out.push({
          ...job,
          ...(next ? { nextRun: next.toISOString() } : {}),
          ...(last ? { lastRun: last } : {}),
        });
      }
      return out;
    },
    run,
    runs,
    /** Starts the cron schedules (serve only). */
    start() {
      for (const job of deps.jobs) {
        tasks.push(
          cron.schedule(
            job.schedule,
            () => {
              run(job.name, 'schedule').catch((err: unknown) =>
                deps.log.error({ job: job.name, err }, 'scheduled job failed'),
              );
            },
            { noOverlap: true, name: job.name },
          ),
        );
      }
    },
    async stop() {
      for (const t of tasks) await t.stop();
      tasks.length = 0;
    },
  };
}

export type Jobs = ReturnType<typeof createJobs>;

function toJobRun(r: Selectable<JobRunsTable>): JobRun {
  return {
    id: r.id,
    job: r.job,
    trigger: r.trigger,
    status: r.status,
    counts: r.counts,
    ...(r.error ? { error: r.error } : {}),
    startedAt: new Date(r.started_at).toISOString(),
    ...(r.finished_at ? { finishedAt: new Date(r.finished_at).toISOString() } : {}),
  };
}

/** When a cron expression next fires from now (node-cron's own matcher; the task never starts). */
export function nextRun(schedule: string): Date | undefined {
  const task = cron.createTask(schedule, () => undefined);
  try {
    return task.getNextRuns(1)[0];
  } finally {
    void task.destroy();
  }
}
