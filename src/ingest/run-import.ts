import { createHash } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { SourceSettings } from '../config/hub-config.ts';
import { errorMessage, HubError, InputError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { MappingCatalog } from '../mapping/catalog.ts';
import { scrubUnstorable } from '../normalize/storable-text.ts';
import type { Encoding } from '../parsers/decode.ts';
import { ownerIsGone, processOwner } from '../runtime/owner.ts';
import type { ImportCounts, ImportRun, ImportWarning } from '../schemas/import-run.ts';
import type { AdapterRegistry } from '../sdk/registry.ts';
import type { CopyInto } from '../store/copy-into.ts';
import {
  createImportsRepository,
  emptyCounts,
  insertRejects,
  insertRunSources,
  type RejectInput,
} from '../store/imports-repo.ts';
import type { Database } from '../store/types.ts';
import { ingestCertificate } from './certificates.ts';
import { ingestEnrolments } from './enrolments.ts';
import {
  dropAbandoned,
  dropStaged,
  dropUnpublished,
  type InsertedPersons,
  insertNewPersons,
  mergePersons,
  refreshStatistics,
  type StagedPersons,
  stagePersons,
} from './person-bulk.ts';
import { personCheck } from './person-check.ts';
import { exceedsRejectLimit, formatRejectLimit, parseRejectLimit, type RejectLimit } from './reject-limit.ts';
import { type StagingThreads, stagePersonsInThread } from './staging-threads.ts';

/** One input file: its name, size and SHA-256 known up front, its bytes streamed on demand. */
export interface ImportSource {
  fileName: string;
  bytes: number;
  sha256: string;
  open(): AsyncIterable<Uint8Array>;
}

export interface ImportOptions {
  /** Read and map in the hub's own thread even where worker threads are configured (benchmarks). */
  inThread?: boolean;
  adapter: string;
  encoding?: Encoding;
  mode?: 'full' | 'delta';
  clientId?: string;
  config?: Record<string, unknown>;
  /** Fail on a column the mapping does not know (default: the source's setting, else warn). */
  strictColumns?: boolean;
  /** Rejects allowed before the run fails (default: the source's setting, else none). */
  maxRejects?: RejectLimit;
}

export interface IngestDeps {
  db: Kysely<Database>;
  adapters: AdapterRegistry;
  mappings: MappingCatalog;
  log: FastifyBaseLogger;
  /** Bulk load into the import's staging (`Store.copyInto`). */
  copyInto: CopyInto;
  /** Worker threads that read and map person files; without them, the hub's own thread does. */
  threads?: StagingThreads;
  batchSize?: number;
  /** HUB_CONFIG `sources`: per read adapter, defaults for the options above. */
  sources?: Record<string, SourceSettings>;
}

/** Rows per staging COPY: small enough that PGlite answers reads between two batches. */
const BULK_BATCH = 2000;

/**
 * Imports one file: a run row first, then every record in one transaction, so a file that
 * fails (bad trailer, unreadable, a missing required column, every row rejected, rejects over
 * the source's limit) leaves stored data as it was. The run is `succeeded` without rejects and
 * `partial` with some. The same bytes give an `unchanged` run that writes nothing only while
 * they are the latest state of the sources they wrote, read through the same mapping. Rows are
 * mapped and written in batches; memory does not grow with the file.
 */
export async function runImport(
  deps: IngestDeps,
  source: ImportSource,
  options: ImportOptions,
): Promise<ImportRun> {
  const { db, log } = deps;
  const reader = deps.adapters.reader(options.adapter);
  const entity = reader.manifest.entities[0]!;
  const mapping = deps.mappings.get(options.adapter, entity);
  if (!mapping) {
    throw new HubError('HUB_ERR_MAPPING', {
      message: `mappings/${options.adapter}/${entity}.mapping.yaml がありません`,
    });
  }
  const layout = deps.mappings.layout(options.adapter);
  const imports = createImportsRepository(db);
  const startedAt = new Date();
  const id = newId('imp');
  const base = {
    id,
    adapter: options.adapter,
    file_name: source.fileName,
    sha256: source.sha256,
    bytes: source.bytes,
    client_id: options.clientId ?? null,
    started_at: startedAt,
  };

  const settings = deps.sources?.[options.adapter] ?? {};
  const maxRejects = options.maxRejects ?? rejectLimitOf(settings.maxRejects);
  const fingerprint = createHash('sha256')
    .update(`${mapping.fingerprint}\n${JSON.stringify(layout ?? null)}`)
    .digest('hex');

  const earlier = await imports.findLatestState(options.adapter, source.sha256);
  if (
    earlier &&
    earlier.mapping_fingerprint === fingerprint &&
    (!options.encoding || options.encoding === earlier.encoding) &&
    (!options.mode || options.mode === earlier.mode)
  ) {
    await db
      .insertInto('import_runs')
      .values({
        ...base,
        encoding: earlier.encoding,
        encoding_detected: earlier.encoding_detected,
        mode: earlier.mode,
        status: 'unchanged',
        duplicate_of: earlier.id,
        counts: JSON.stringify(emptyCounts()),
        // what was said about these bytes still holds (e.g. their unknown columns)
        warnings: JSON.stringify(earlier.warnings ?? []),
        mapping_fingerprint: fingerprint,
        finished_at: new Date(),
      })
      .execute();
    log.info({ importId: id, duplicateOf: earlier.id }, 'import skipped: same bytes are the latest state');
    return (await imports.get(id))!;
  }

  await db
    .insertInto('import_runs')
    .values({
      ...base,
      mode: options.mode ?? 'full',
      status: 'running',
      owner: processOwner,
      counts: JSON.stringify(emptyCounts()),
      mapping_fingerprint: fingerprint,
    })
    .execute();

  const state = new RunState(id, options.adapter, source.fileName, startedAt);
  state.strictColumns = options.strictColumns ?? settings.strictColumns ?? false;
  const bulk = entity !== 'transfer-person' && entity !== 'enrolment';
  try {
    const context = {
      fileName: source.fileName,
      ...(options.encoding ? { encoding: options.encoding } : {}),
      ...(options.mode ? { mode: options.mode } : {}),
      config: options.config ?? {},
      ...(layout ? { layout } : {}),
    };
    let staged: StagedPersons | undefined;
    let inserted: InsertedPersons | undefined;
    if (bulk) {
      // Another hub of this host that died mid-run (PostgreSQL) left its run `running`.
      await imports.failInterrupted(ownerIsGone);
      await dropAbandoned(db);
      state.rejectsStored = true;
      const batchSize = deps.batchSize ?? BULK_BATCH;
      staged =
        deps.threads && !options.inThread
          ? await stagePersonsInThread(
              { db, copyInto: deps.copyInto, threads: deps.threads, batchSize },
              {
                adapter: options.adapter,
                entity,
                read: context,
                importId: id,
                strictColumns: state.strictColumns,
                mappingFingerprint: fingerprint,
              },
              source.open(),
              state,
            )
          : await stagePersons(
              { db, copyInto: deps.copyInto, mappings: deps.mappings, batchSize },
              mapping,
              personCheck,
              reader.read(source.open(), context),
              state,
              fingerprint,
            );
      checkRejects(state.counts, maxRejects);
      inserted = await insertNewPersons(db, state, staged);
    }
    const items = () => reader.read(source.open(), context);
    await db.transaction().execute(async (trx) => {
      if (staged && inserted) await mergePersons(trx, state, staged, inserted);
      else if (entity === 'transfer-person')
        await ingestCertificate(trx, mapping, items(), state, deps.mappings);
      else await ingestEnrolments(trx, mapping, items(), state, deps.batchSize ?? 500, deps.mappings);
      checkRejects(state.counts, maxRejects);
      await insertRunSources(trx, id, state.sources);
      await trx
        .updateTable('import_runs')
        .set({
          status: state.counts.rejected > 0 ? 'partial' : 'succeeded',
          counts: JSON.stringify(state.counts),
          warnings: JSON.stringify(state.warnings),
          mode: state.mode,
          encoding: state.encoding ?? null,
          encoding_detected: state.encodingDetected ?? null,
          finished_at: new Date(),
        })
        .where('id', '=', id)
        .execute();
    });
    if (staged) await refreshStatistics(db, state);
  } catch (error) {
    const failure =
      error instanceof InputError
        ? {
            line: error.line,
            ...(error.column !== undefined ? { column: error.column } : {}),
            ...(error.field !== undefined ? { field: scrubUnstorable(error.field) } : {}),
            code: error.code,
            message: scrubUnstorable(
              `${source.fileName}: ${error.line > 0 ? `${error.line}行目: ` : ''}${error.message}`,
            ),
          }
        : { line: 0, code: 'HUB_ERR_INTERNAL', message: errorMessage('HUB_ERR_INTERNAL', { requestId: id }) };
    if (!(error instanceof InputError)) log.error({ err: error, importId: id }, 'import failed');
    await db
      .updateTable('import_runs')
      .set({
        status: 'failed',
        counts: JSON.stringify({ ...state.counts, inserted: 0, updated: 0, missing: 0 }),
        warnings: JSON.stringify(state.warnings),
        mode: state.mode,
        encoding: state.encoding ?? null,
        encoding_detected: state.encodingDetected ?? null,
        error: JSON.stringify(failure),
        finished_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
    if (bulk) {
      await dropStaged(db, id);
      await dropUnpublished(db, id);
    }
    // The bulk path stored its rejects as it went (outside the rolled-back transaction).
    if (!state.rejectsStored) await insertRejects(db, id, state.keptRejects);
  }
  const run = (await imports.get(id))!;
  log.info(
    {
      importId: id,
      adapter: run.adapter,
      status: run.status,
      counts: run.counts,
      warnings: run.warnings.map((w) => w.code),
      ...(Object.keys(state.phases).length > 0 ? { phasesMs: state.phases } : {}),
    },
    'import finished',
  );
  return run;
}

function rejectLimitOf(setting: SourceSettings['maxRejects']): RejectLimit | undefined {
  if (setting === undefined) return undefined;
  const limit = parseRejectLimit(setting);
  if (!limit)
    throw new HubError('HUB_ERR_CONFIG', {
      message: `maxRejects "${setting}" は N か P% で指定してください`,
    });
  return limit;
}

/**
 * Honest status: a file whose every considered row was rejected, or whose rejects are over the
 * source's limit, fails and rolls back (thrown inside the run's transaction).
 */
function checkRejects(counts: ImportCounts, limit: RejectLimit | undefined): void {
  const considered = counts.read - counts.skipped;
  if (counts.rejected > 0 && counts.rejected >= considered) {
    throw new InputError('HUB_ERR_ALL_REJECTED', { line: 0 }, { rejected: counts.rejected });
  }
  if (limit && exceedsRejectLimit(limit, counts.rejected, considered)) {
    throw new InputError(
      'HUB_ERR_TOO_MANY_REJECTS',
      { line: 0 },
      { rejected: counts.rejected, considered, limit: formatRejectLimit(limit) },
    );
  }
}

class RunState {
  counts: ImportCounts = emptyCounts();
  mode: 'full' | 'delta' = 'full';
  encoding?: string;
  encodingDetected?: boolean;
  fields: string[] = [];
  renamed = new Map<string, string>();
  known = new Set<string>();
  strictColumns = false;
  warnings: ImportWarning[] = [];
  sources = new Set<string>();
  /** Rejects whose key could not be read: their persons cannot be told apart from missing ones. */
  keylessRejects = 0;
  keptRejects: RejectInput[] = [];
  rejectsStored = false;
  phases: Record<string, number> = {};
  readonly asOf: string;
  constructor(
    readonly id: string,
    readonly adapter: string,
    readonly file: string,
    startedAt: Date,
  ) {
    this.asOf = startedAt.toISOString();
  }
}
