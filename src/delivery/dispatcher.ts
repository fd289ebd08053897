import type { FastifyBaseLogger } from 'fastify';
import { type Kysely, sql } from 'kysely';
import type { MappingCatalog } from '../mapping/catalog.ts';
import type { SubmissionToWrite } from '../sdk/write-adapter.ts';
import type { Database } from '../store/types.ts';
import { deliverToFolder } from './folder-transport.ts';
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
 * Delivers due outbox rows. Rows are claimed with `FOR UPDATE SKIP LOCKED` and a lease, so
 * several hubs on one PostgreSQL never deliver a row at the same time, and a row whose hub
 * died mid-delivery is taken again when its lease ends (the file then carries the same
 * submission ids: at most once in effect). One file per target and run.
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
  const leaseMs = deps.leaseMs ?? 5 * 60_000;
  let seq = 0;

  async function claim(limit: number) {
    const until = new Date(Date.now() + leaseMs);
    const { rows } = await sql<{ id: string; submission_id: string; target: string; attempts: number }>`
      update deliveries set claimed_until = ${until}, attempts = attempts + 1
      where id in (
        select id from deliveries
        where status in ('pending', 'failed') and next_attempt_at <= now()
          and (claimed_until is null or claimed_until < now())
        order by created_at, id
        limit ${limit}
        for update skip locked)
      returning id, submission_id, target, attempts`.execute(deps.db);
    return rows;
  }

  async function writeFile(target: Target, targetId: string, firstId: string, subs: SubmissionToWrite[]) {
    const form = deps.mappings.forms.get(target.writer.manifest.forms[0]!);
    const gaiji = deps.municipalityCode ? deps.mappings.gaiji(deps.municipalityCode)?.reverse : undefined;
    const out = target.writer.write(subs, { ...(form ? { form } : {}), ...(gaiji ? { gaiji } : {}) });
    const name = `${targetId}_${stamp(new Date())}_${String(++seq).padStart(4, '0')}_${firstId.slice(-6)}.${out.extension}`;
    if (target.transport.type === 'sftp') return deliverOverSftp(target.transport, name, out.bytes, out.rows);
    if (target.transport.type !== 'folder') throw new Error('not a file target');
    return deliverToFolder(target.transport.dir, name, out.bytes, out.rows);
  }

  return {
    /** One pass over the due deliveries; resolves to how many were delivered. */
    async runOnce(limit = 100): Promise<{ delivered: number; failed: number; dead: number }> {
      const claimed = await claim(limit);
      const result = { delivered: 0, failed: 0, dead: 0 };
      const byTarget = new Map<string, typeof claimed>();
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
        // A folder takes one file for the batch; an HTTP API one request per delivery.
        const batches = target?.transport.type === 'http' ? rows.map((r) => [r]) : [rows];
        for (const batch of batches) {
          try {
            if (!target) throw new Error(`送信先 ${targetId} が設定にありません`);
            const mine = toWrite.filter((s) => batch.some((b) => b.submission_id === s.id));
            const artifact =
              target.transport.type === 'http'
                ? await deliverOverHttp(target.transport, batch[0]!.id, mine[0]!)
                : await writeFile(target, targetId, batch[0]!.id, mine);
            await deps.db
              .updateTable('deliveries')
              .set({
                status: 'delivered',
                artifact: JSON.stringify(artifact),
                delivered_at: new Date(),
                claimed_until: null,
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
      return result;
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
