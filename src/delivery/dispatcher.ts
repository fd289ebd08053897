import { createHash } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { type Kysely, sql } from 'kysely';
import type { MappingCatalog } from '../mapping/catalog.ts';
import { ownerIsGone, processOwner } from '../runtime/owner.ts';
import type { SubmissionToWrite } from '../sdk/write-adapter.ts';
import type { Database } from '../store/types.ts';
import { type Artifact, deliverToFolder, type PlannedFile } from './folder-transport.ts';
import { deliverOverHttp } from './http-transport.ts';
import { deliverOverSftp } from './sftp-transport.ts';
import type { Target } from './targets.ts';

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

/** Exponential backoff with jitter and a cap: attempt n waits base·2^(n−1), halved at random. */
export function backoffMs(attempt: number, o: BackoffOptions, random = Math.random): number {
  const full = Math.min(o.capMs, o.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(full / 2 + (random() * full) / 2);
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/**
 * Delivers due outbox rows. Rows are claimed with `FOR UPDATE SKIP LOCKED` and a short lease
 * that is renewed while the batch is delivered, so several hubs on one PostgreSQL never
 * deliver a row at the same time. A claim whose process is gone (killed on this host) is
 * taken over at the next pass; one from another host when its lease ends (about a minute).
 * A file batch records its file's name before writing, so a batch interrupted anywhere between
 * writing, renaming, `.done` and the database update is finished on that same file, never
 * written twice. One file per target and run.
 */
export function createDispatcher(deps: {
  db: Kysely<Database>;
  targets: Target[];
  mappings: MappingCatalog;
  log: FastifyBaseLogger;
  backoff?: BackoffOptions;
  leaseMs?: number;
  /** This municipality: its 外字 table turns mapped characters back into their CP932 codes. */
  municipalityCode?: string;
  /** Called once for each delivery that goes dead (its last attempt failed). */
  onDead?: (target: string) => void;
}) {
  const backoff = deps.backoff ?? { baseMs: 5_000, capMs: 30 * 60_000 };
  const leaseMs = deps.leaseMs ?? 60_000;
  let seq = 0;

  type Claimed = {
    id: string;
    submission_id: string;
    target: string;
    attempts: number;
    file_name: string | null;
    file_sha256: string | null;
    file_rows: number | null;
    file_stage: 'intent' | 'renamed' | null;
  };

  /** Frees the claims of processes that are certainly gone, without waiting for their lease. */
  async function releaseGoneClaims(): Promise<void> {
    const owners = await deps.db
      .selectFrom('deliveries')
      .select('claimed_by')
      .distinct()
      .where('status', 'in', ['pending', 'failed'])
      .where('claimed_by', 'is not', null)
      .where('claimed_until', '>', new Date())
      .execute();
    const gone = owners.map((o) => o.claimed_by!).filter((o) => ownerIsGone(o));
    if (gone.length === 0) return;
    await deps.db
      .updateTable('deliveries')
      .set({ claimed_until: null, claimed_by: null })
      .where('claimed_by', 'in', gone)
      .where('status', 'in', ['pending', 'failed'])
      .execute();
    deps.log.warn({ owners: gone.length }, 'deliveries of a stopped hub taken over');
  }

  async function claim(limit: number): Promise<Claimed[]> {
    const until = new Date(Date.now() + leaseMs);
    const { rows } = await sql<Claimed>`
      update deliveries set claimed_until = ${until}, claimed_by = ${processOwner}, attempts = attempts + 1
      where id in (
        select id from deliveries
        where status in ('pending', 'failed') and next_attempt_at <= now()
          and (claimed_until is null or claimed_until < now())
        order by created_at, id
        limit ${limit}
        for update skip locked)
      returning id, submission_id, target, attempts, file_name, file_sha256, file_rows, file_stage`.execute(
      deps.db,
    );
    return rows;
  }

  /** Keeps the lease of the rows being delivered while a slow transport works. */
  function heartbeat(ids: string[]): () => void {
    if (ids.length === 0) return () => {};
    const timer = setInterval(
      () => {
        deps.db
          .updateTable('deliveries')
          .set({ claimed_until: new Date(Date.now() + leaseMs) })
          .where('id', 'in', ids)
          .where('claimed_by', '=', processOwner)
          .where('status', 'in', ['pending', 'failed'])
          .execute()
          .catch((err: unknown) => deps.log.warn({ err: (err as Error).message }, 'lease renewal failed'));
      },
      Math.max(1_000, leaseMs / 3),
    );
    timer.unref();
    return () => clearInterval(timer);
  }

  function render(target: Target, subs: SubmissionToWrite[]) {
    const form = deps.mappings.forms.get(target.writer.manifest.forms[0]!);
    const gaiji = deps.municipalityCode ? deps.mappings.gaiji(deps.municipalityCode)?.reverse : undefined;
    return target.writer.write(subs, { ...(form ? { form } : {}), ...(gaiji ? { gaiji } : {}) });
  }

  /** Writes (or finishes) the batch's file; the plan is recorded on its rows before any byte. */
  async function writeFile(
    target: Target,
    targetId: string,
    batch: Claimed[],
    subs: SubmissionToWrite[],
  ): Promise<Artifact> {
    const ids = batch.map((r) => r.id);
    const first = batch[0]!;
    let plan: PlannedFile;
    let out: ReturnType<typeof render> | undefined;
    if (first.file_name && first.file_sha256 && first.file_rows !== null) {
      plan = {
        name: first.file_name,
        sha256: first.file_sha256,
        rows: first.file_rows,
        stage: first.file_stage ?? 'intent',
      };
    } else {
      out = render(target, subs);
      plan = {
        name: `${targetId}_${stamp(new Date())}_${String(++seq).padStart(4, '0')}_${first.id.slice(-6)}.${out.extension}`,
        sha256: createHash('sha256').update(out.bytes).digest('hex'),
        rows: out.rows,
        stage: 'intent',
      };
      await deps.db
        .updateTable('deliveries')
        .set({ file_name: plan.name, file_sha256: plan.sha256, file_rows: plan.rows, file_stage: 'intent' })
        .where('id', 'in', ids)
        .execute();
    }
    const bytes = () => {
      out ??= render(target, subs);
      return out.bytes;
    };
    if (target.transport.type === 'sftp')
      return deliverOverSftp(target.transport, plan.name, bytes(), plan.rows);
    if (target.transport.type !== 'folder') throw new Error('not a file target');
    return deliverToFolder({ id: targetId, ...target.transport }, plan, bytes, async () => {
      await deps.db.updateTable('deliveries').set({ file_stage: 'renamed' }).where('id', 'in', ids).execute();
    });
  }

  /** The claimed rows of one target in batches: an interrupted file's rows together, then the rest. */
  function batchesOf(target: Target | undefined, rows: Claimed[]): Claimed[][] {
    if (target?.transport.type === 'http') return rows.map((r) => [r]);
    const planned = new Map<string, Claimed[]>();
    const fresh: Claimed[] = [];
    for (const r of rows) {
      if (r.file_name) planned.set(r.file_name, [...(planned.get(r.file_name) ?? []), r]);
      else fresh.push(r);
    }
    return [...planned.values(), ...(fresh.length > 0 ? [fresh] : [])];
  }

  return {
    /** One pass over the due deliveries; resolves to how many were delivered. */
    async runOnce(limit = 100): Promise<{ delivered: number; failed: number; dead: number }> {
      await releaseGoneClaims();
      const claimed = await claim(limit);
      const result = { delivered: 0, failed: 0, dead: 0 };
      const stop = heartbeat(claimed.map((c) => c.id));
      try {
        const byTarget = new Map<string, Claimed[]>();
        for (const c of claimed) byTarget.set(c.target, [...(byTarget.get(c.target) ?? []), c]);
        for (const [targetId, rows] of byTarget) {
          const target = deps.targets.find((t) => t.id === targetId);
          const subs = await deps.db
            .selectFrom('form_submissions')
            .selectAll()
            .where(
              'id',
              'in',
              rows.map((r) => r.submission_id),
            )
            .orderBy('created_at')
            .execute();
          const toWrite = subs.map((s) => ({
            id: s.id,
            formId: s.form_id,
            createdAt: new Date(s.created_at).toISOString(),
            record: s.record,
          }));
          for (const batch of batchesOf(target, rows)) {
            try {
              if (!target) throw new Error(`送信先 ${targetId} が設定にありません`);
              const mine = toWrite.filter((s) => batch.some((b) => b.submission_id === s.id));
              const artifact =
                target.transport.type === 'http'
                  ? await deliverOverHttp(target.transport, batch[0]!.id, mine[0]!)
                  : await writeFile(target, targetId, batch, mine);
              await deps.db
                .updateTable('deliveries')
                .set({
                  status: 'delivered',
                  artifact: JSON.stringify(artifact),
                  delivered_at: new Date(),
                  claimed_until: null,
                  claimed_by: null,
                  last_error: null,
                })
                .where(
                  'id',
                  'in',
                  batch.map((r) => r.id),
                )
                .execute();
              result.delivered += batch.length;
            } catch (error) {
              const message = (error as Error).message;
              deps.log.warn({ target: targetId, deliveries: batch.length, err: message }, 'delivery failed');
              for (const r of batch) {
                const dead = r.attempts >= (target?.maxAttempts ?? 1);
                await deps.db
                  .updateTable('deliveries')
                  .set({
                    status: dead ? 'dead' : 'failed',
                    last_error: message,
                    claimed_until: null,
                    claimed_by: null,
                    next_attempt_at: new Date(Date.now() + backoffMs(r.attempts, backoff)),
                  })
                  .where('id', '=', r.id)
                  .execute();
                if (dead) {
                  result.dead++;
                  deps.onDead?.(targetId);
                  deps.log.error(
                    {
                      deliveryId: r.id,
                      submissionId: r.submission_id,
                      target: targetId,
                      attempts: r.attempts,
                      err: message,
                    },
                    'delivery dead: every attempt failed; redeliver after fixing the target',
                  );
                } else result.failed++;
              }
            }
          }
        }
      } finally {
        stop();
      }
      return result;
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
