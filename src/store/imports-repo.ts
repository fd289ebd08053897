import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { scrubUnstorable } from '../normalize/storable-text.ts';
import type { ImportCounts, ImportRun, Reject, RejectEntry } from '../schemas/import-run.ts';
import type { ImportFilter } from '../schemas/operations.ts';
import type { Database, ImportRunRow } from './types.ts';

export const emptyCounts = (): ImportCounts => ({
  read: 0,
  inserted: 0,
  updated: 0,
  unchanged: 0,
  rejected: 0,
  skipped: 0,
  missing: 0,
});

export interface RejectInput extends RejectEntry {
  raw?: Uint8Array;
  /** The row sets a restriction flag (支援措置, 他業務参照不可): its raw bytes are never shown without privilege. */
  restricted?: boolean;
}

export function toImportRun(row: ImportRunRow): ImportRun {
  return {
    id: row.id,
    adapter: row.adapter,
    file: row.file_name,
    sha256: row.sha256,
    bytes: Number(row.bytes),
    ...(row.encoding ? { encoding: row.encoding } : {}),
    ...(row.encoding_detected !== null ? { encodingDetected: row.encoding_detected } : {}),
    mode: row.mode,
    status: row.status,
    ...(row.client_id ? { source: row.client_id } : {}),
    ...(row.duplicate_of ? { duplicateOf: row.duplicate_of } : {}),
    counts: row.counts,
    warnings: row.warnings ?? [],
    ...(row.error ? { error: row.error } : {}),
    startedAt: new Date(row.started_at).toISOString(),
    ...(row.finished_at ? { finishedAt: new Date(row.finished_at).toISOString() } : {}),
  };
}

export function createImportsRepository(db: Kysely<Database>) {
  /** Runs newest first, narrowed by status, adapter, source, start time and rejects. */
  async function search(
    f: ImportFilter & { limit: number; offset: number },
  ): Promise<{ items: ImportRun[]; total: number }> {
    let q = db.selectFrom('import_runs');
    if (f.status) q = q.where('status', '=', f.status);
    if (f.adapter) q = q.where('adapter', '=', f.adapter);
    if (f.source) q = q.where('client_id', '=', f.source);
    if (f.since) q = q.where('started_at', '>=', new Date(f.since));
    if (f.rejects !== undefined)
      q = q.where(sql<number>`(counts->>'rejected')::int`, f.rejects ? '>' : '=', 0);
    const rows = await q
      .selectAll()
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(f.limit)
      .offset(f.offset)
      .execute();
    const { total } = await q.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    return { items: rows.map(toImportRun), total: Number(total) };
  }

  return {
    /**
     * The file registry, by state rather than history: the latest run that applied these bytes
     * through this adapter, when nothing was applied after it to any source it wrote (A → B → A
     * finds nothing, so A is applied again). Undefined when the bytes must be imported.
     */
    async findLatestState(adapter: string, sha256: string): Promise<ImportRunRow | undefined> {
      const latest = await db
        .selectFrom('import_runs')
        .selectAll()
        .where('adapter', '=', adapter)
        .where('sha256', '=', sha256)
        .where('status', 'in', APPLIED)
        .orderBy('finished_at', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      if (!latest?.finished_at) return undefined;
      const later = await db
        .selectFrom('import_run_sources as s')
        .innerJoin('import_runs as r', 'r.id', 's.import_id')
        .select('r.id')
        .where('r.id', '!=', latest.id)
        .where('r.status', 'in', APPLIED)
        .where('r.finished_at', '>=', latest.finished_at)
        .where('s.source', 'in', (eb) =>
          eb.selectFrom('import_run_sources').select('source').where('import_id', '=', latest.id),
        )
        .executeTakeFirst();
      return later ? undefined : latest;
    },
    async get(id: string): Promise<ImportRun | undefined> {
      const row = await db.selectFrom('import_runs').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toImportRun(row) : undefined;
    },
    async list(limit: number, offset: number): Promise<{ items: ImportRun[]; total: number }> {
      return search({ limit, offset });
    },
    search,
    /**
     * The newest run of each source (adapter and who brought the file), with the time of its
     * last run that applied a file (succeeded, partial or unchanged).
     */
    async latestPerSource(): Promise<(ImportRun & { lastSuccessAt?: string })[]> {
      const latest = await db
        .selectFrom('import_runs')
        .selectAll()
        .distinctOn(['adapter', 'client_id'])
        .orderBy('adapter')
        .orderBy('client_id')
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      const applied = await db
        .selectFrom('import_runs')
        .select(['adapter', 'client_id', (eb) => eb.fn.max('finished_at').as('at')])
        .where('status', 'in', ['succeeded', 'partial', 'unchanged'])
        .groupBy(['adapter', 'client_id'])
        .execute();
      return latest.map((row) => {
        const at = applied.find((a) => a.adapter === row.adapter && a.client_id === row.client_id)?.at;
        return { ...toImportRun(row), ...(at ? { lastSuccessAt: new Date(at).toISOString() } : {}) };
      });
    },
    async rejects(
      importId: string,
      limit: number,
      offset: number,
    ): Promise<{ items: (Reject & { restricted: boolean })[]; total: number }> {
      const rows = await db
        .selectFrom('import_rejects')
        .selectAll()
        .where('import_id', '=', importId)
        .orderBy('line')
        .orderBy('id')
        .limit(limit)
        .offset(offset)
        .execute();
      const { total } = await db
        .selectFrom('import_rejects')
        .select((eb) => eb.fn.countAll<number>().as('total'))
        .where('import_id', '=', importId)
        .executeTakeFirstOrThrow();
      return {
        total: Number(total),
        items: rows.map((r) => ({
          importId: r.import_id,
          line: r.line,
          ...(r.col !== null ? { column: r.col } : {}),
          ...(r.field !== null ? { field: r.field } : {}),
          code: r.code,
          message: r.message,
          ...(r.raw ? { raw: Buffer.from(r.raw).toString('base64') } : {}),
          restricted: r.restricted,
        })),
      };
    },
    /**
     * Marks runs left `running` by a process that died as failed: every running run (embedded,
     * single instance), or those whose owner `gone` says is certainly no longer running.
     */
    async failInterrupted(gone: (owner: string | null) => boolean = () => true): Promise<number> {
      const running = await db
        .selectFrom('import_runs')
        .select(['id', 'owner'])
        .where('status', '=', 'running')
        .execute();
      const dead = running.filter((r) => gone(r.owner)).map((r) => r.id);
      if (dead.length === 0) return 0;
      const result = await db
        .updateTable('import_runs')
        .set({
          status: 'failed',
          finished_at: new Date(),
          error: JSON.stringify({ line: 0, code: 'HUB_ERR_INTERNAL', message: '取込中にハブが停止しました' }),
        })
        .where('status', '=', 'running')
        .where('id', 'in', dead)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}

/** Raw bytes kept per reject; a longer row keeps its head, its length and its SHA-256. */
export const REJECT_RAW_KEPT = 64 * 1024;

function keptRaw(r: RejectInput): { raw: Uint8Array | null; note: string } {
  if (!r.raw || r.raw.length <= REJECT_RAW_KEPT) return { raw: r.raw ?? null, note: '' };
  const sha256 = createHash('sha256').update(r.raw).digest('hex');
  return {
    raw: r.raw.subarray(0, REJECT_RAW_KEPT),
    note: `（行は ${r.raw.length} バイト、SHA-256 ${sha256}。先頭 ${REJECT_RAW_KEPT} バイトのみ保存）`,
  };
}

/** Statuses of runs whose data was written: the registry's states. */
const APPLIED: ImportRunRow['status'][] = ['succeeded', 'partial'];

/** Records the sources a run wrote (inside its transaction). */
export async function insertRunSources(db: Kysely<Database>, importId: string, sources: Iterable<string>) {
  const rows = [...new Set(sources)].map((source) => ({ import_id: importId, source }));
  for (let i = 0; i < rows.length; i += 1000) {
    await db
      .insertInto('import_run_sources')
      .values(rows.slice(i, i + 1000))
      .execute();
  }
}

export async function insertRejects(
  db: Kysely<Database>,
  importId: string,
  rejects: RejectInput[],
): Promise<void> {
  if (rejects.length === 0) return;
  await db
    .insertInto('import_rejects')
    .values(
      rejects.map((r) => {
        // A 20 MB line is kept as its head: storing it whole stalled the import for half a minute.
        const { raw, note } = keptRaw(r);
        return {
          import_id: importId,
          line: r.line,
          col: r.column ?? null,
          // A reader's message may quote the bad input; the database must still take it.
          field: r.field === undefined ? null : scrubUnstorable(r.field),
          code: r.code,
          message: scrubUnstorable(r.message) + note,
          raw,
          restricted: r.restricted ?? false,
        };
      }),
    )
    .execute();
}

export type ImportsRepository = ReturnType<typeof createImportsRepository>;
