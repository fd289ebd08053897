import type { Kysely } from 'kysely';
import type { ImportCounts, ImportRun, Reject, RejectEntry } from '../schemas/import-run.ts';
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
    ...(row.duplicate_of ? { duplicateOf: row.duplicate_of } : {}),
    counts: row.counts,
    ...(row.error ? { error: row.error } : {}),
    startedAt: new Date(row.started_at).toISOString(),
    ...(row.finished_at ? { finishedAt: new Date(row.finished_at).toISOString() } : {}),
  };
}

export function createImportsRepository(db: Kysely<Database>) {
  return {
    async findSucceeded(adapter: string, sha256: string) {
      return db
        .selectFrom('import_runs')
        .selectAll()
        .where('adapter', '=', adapter)
        .where('sha256', '=', sha256)
        .where('status', '=', 'succeeded')
        .executeTakeFirst();
    },
    async get(id: string): Promise<ImportRun | undefined> {
      const row = await db.selectFrom('import_runs').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toImportRun(row) : undefined;
    },
    async list(limit: number, offset: number): Promise<{ items: ImportRun[]; total: number }> {
      const rows = await db
        .selectFrom('import_runs')
        .selectAll()
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .offset(offset)
        .execute();
      const { total } = await db
        .selectFrom('import_runs')
        .select((eb) => eb.fn.countAll<number>().as('total'))
        .executeTakeFirstOrThrow();
      return { items: rows.map(toImportRun), total: Number(total) };
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
    /** Marks runs left `running` by a process that died as failed (embedded, single instance). */
    async failInterrupted(): Promise<number> {
      const result = await db
        .updateTable('import_runs')
        .set({
          status: 'failed',
          finished_at: new Date(),
          error: JSON.stringify({ line: 0, code: 'HUB_ERR_INTERNAL', message: '取込中にハブが停止しました' }),
        })
        .where('status', '=', 'running')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
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
      rejects.map((r) => ({
        import_id: importId,
        line: r.line,
        col: r.column ?? null,
        field: r.field ?? null,
        code: r.code,
        message: r.message,
        raw: r.raw ?? null,
        restricted: r.restricted ?? false,
      })),
    )
    .execute();
}

export type ImportsRepository = ReturnType<typeof createImportsRepository>;
