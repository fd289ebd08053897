import { createHash } from 'node:crypto';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { FastifyBaseLogger } from 'fastify';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { SourceSettings } from '../config/hub-config.ts';
import { errorMessage, HubError, InputError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { MappingCatalog } from '../mapping/catalog.ts';
import type { CompiledMapping } from '../mapping/compile.ts';
import { scrubUnstorable } from '../normalize/storable-text.ts';
import type { Encoding } from '../parsers/decode.ts';
import { Address } from '../schemas/address.ts';
import { HubDate } from '../schemas/common.ts';
import type { ImportCounts, ImportRun, ImportWarning } from '../schemas/import-run.ts';
import { PersonName, PersonRecord, PersonStatus } from '../schemas/person.ts';
import type { ReadItem } from '../sdk/adapter.ts';
import type { AdapterRegistry } from '../sdk/registry.ts';
import {
  createImportsRepository,
  emptyCounts,
  insertRejects,
  insertRunSources,
  type RejectInput,
} from '../store/imports-repo.ts';
import type { Database, NewPersonRow, StoredProvenance } from '../store/types.ts';
import { certificateIdsFor, ingestCertificate, updateCertificateStatus } from './certificates.ts';
import { ingestEnrolments, linkEnrolments } from './enrolments.ts';
import { keyOf, mapItem, rejectCollector, takeMeta } from './map-item.ts';
import { sha256Hex, stableStringify } from './record-hash.ts';
import { exceedsRejectLimit, formatRejectLimit, parseRejectLimit, type RejectLimit } from './reject-limit.ts';
import { personSearchKeys } from './search-keys.ts';
import { loopYielder } from './yield-to-loop.ts';

/** One input file: its name, size and SHA-256 known up front, its bytes streamed on demand. */
export interface ImportSource {
  fileName: string;
  bytes: number;
  sha256: string;
  open(): AsyncIterable<Uint8Array>;
}

export interface ImportOptions {
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
  batchSize?: number;
  /** HUB_CONFIG `sources`: per read adapter, defaults for the options above. */
  sources?: Record<string, SourceSettings>;
}

/** Compiled once: checking each record is on the hot path of every import. */
const personCheck = TypeCompiler.Compile(PersonRecord, [HubDate, Address, PersonName, PersonStatus]);

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
      counts: JSON.stringify(emptyCounts()),
      mapping_fingerprint: fingerprint,
    })
    .execute();

  const state = new RunState(id, options.adapter, source.fileName, startedAt);
  state.strictColumns = options.strictColumns ?? settings.strictColumns ?? false;
  try {
    await db.transaction().execute(async (trx) => {
      const items = reader.read(source.open(), {
        fileName: source.fileName,
        ...(options.encoding ? { encoding: options.encoding } : {}),
        ...(options.mode ? { mode: options.mode } : {}),
        config: options.config ?? {},
        ...(layout ? { layout } : {}),
      });
      if (entity === 'transfer-person') await ingestCertificate(trx, mapping, items, state, deps.mappings);
      else if (entity === 'enrolment')
        await ingestEnrolments(trx, mapping, items, state, deps.batchSize ?? 500, deps.mappings);
      else await ingestRecords(trx, mapping, items, state, deps.batchSize ?? 500, deps.mappings);
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
    await insertRejects(db, id, state.keptRejects);
  }
  const run = (await imports.get(id))!;
  log.info(
    {
      importId: id,
      adapter: run.adapter,
      status: run.status,
      counts: run.counts,
      warnings: run.warnings.map((w) => w.code),
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

interface Candidate {
  line: number;
  key: string;
  record: PersonRecord;
  sources: Record<string, string>;
  raw: Uint8Array;
}

async function ingestRecords(
  trx: Transaction<Database>,
  mapping: CompiledMapping,
  items: AsyncIterable<ReadItem>,
  state: RunState,
  batchSize: number,
  mappings: MappingCatalog,
): Promise<void> {
  let batch: Candidate[] = [];
  const codesSeen = new Set<string>();
  const rejects = rejectCollector(trx, state);
  const reject = (r: RejectInput, keyless: boolean) => {
    if (keyless) state.keylessRejects++;
    rejects.add(r);
  };

  const pause = loopYielder();
  for await (const item of items) {
    await pause();
    if (item.kind === 'meta') {
      takeMeta(item, mapping, state);
      continue;
    }
    state.counts.read++;
    if (item.kind === 'reject') {
      reject({ ...item }, true);
    } else {
      const mapped = mapItem(item, mapping, personCheck, state, mappings);
      if (mapped.kind === 'skip') {
        state.counts.skipped++;
        continue;
      }
      if (mapped.kind === 'reject') reject(mapped.reject, true);
      else {
        const record = mapped.record as PersonRecord;
        codesSeen.add(record.municipalityCode);
        batch.push({
          line: item.line,
          key: keyOf(mapping, record),
          record,
          sources: mapped.sources,
          raw: item.raw,
        });
      }
    }
    if (batch.length >= batchSize) {
      await writeBatch(trx, batch, state, mapping, reject);
      batch = [];
    }
    if (rejects.pending >= batchSize) await rejects.flush();
  }
  await writeBatch(trx, batch, state, mapping, reject);
  await rejects.flush();

  if (state.mode === 'full' && state.keylessRejects === 0 && codesSeen.size > 0) {
    const result = await trx
      .updateTable('persons')
      .set({ missing_since: new Date(state.asOf), updated_at: new Date() })
      .where('municipality_code', 'in', [...codesSeen])
      .where('missing_since', 'is', null)
      .where('status', '!=', 'non-resident')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('import_seen')
              .select(sql`1`.as('one'))
              .whereRef('import_seen.source_key', '=', 'persons.source_key')
              .where('import_seen.import_id', '=', state.id),
          ),
        ),
      )
      .executeTakeFirst();
    state.counts.missing = Number(result.numUpdatedRows);
  }
  await trx.deleteFrom('import_seen').where('import_id', '=', state.id).execute();
}

/**
 * Writes one batch: a key already seen in this file (in this batch, or in an earlier one as
 * kept in `import_seen`) is a duplicate row and rejected; the others are inserted, updated or
 * counted as unchanged by their record hash.
 */
async function writeBatch(
  trx: Transaction<Database>,
  batch: Candidate[],
  state: RunState,
  mapping: CompiledMapping,
  reject: (r: RejectInput, keyless: boolean) => void,
): Promise<void> {
  if (batch.length === 0) return;
  const firstLine = new Map<string, number>();
  const unique: Candidate[] = [];
  const duplicates: Candidate[] = [];
  for (const c of batch) {
    if (firstLine.has(c.key)) duplicates.push(c);
    else {
      firstLine.set(c.key, c.line);
      unique.push(c);
    }
  }
  const fresh = await trx
    .insertInto('import_seen')
    .values(unique.map((c) => ({ import_id: state.id, source_key: c.key, line: c.line })))
    .onConflict((oc) => oc.doNothing())
    .returning('source_key')
    .execute();
  const freshKeys = new Set(fresh.map((r) => r.source_key));
  const accepted = unique.filter((c) => freshKeys.has(c.key));
  const seenBefore = unique.filter((c) => !freshKeys.has(c.key));
  if (seenBefore.length > 0) {
    const earlier = await trx
      .selectFrom('import_seen')
      .select(['source_key', 'line'])
      .where('import_id', '=', state.id)
      .where(
        'source_key',
        'in',
        seenBefore.map((c) => c.key),
      )
      .execute();
    for (const e of earlier) firstLine.set(e.source_key, e.line);
    duplicates.push(...seenBefore);
  }
  for (const c of duplicates) {
    reject(
      {
        line: c.line,
        field: mapping.key.at(-1)!,
        code: 'HUB_ERR_DUPLICATE_KEY',
        message: errorMessage('HUB_ERR_DUPLICATE_KEY', {
          field: mapping.key.join('+'),
          value: c.key,
          firstLine: firstLine.get(c.key),
        }),
        raw: c.raw,
      },
      false,
    );
  }
  const keys = accepted.map((c) => c.key);
  if (keys.length === 0) return;
  const existing = await trx
    .selectFrom('persons')
    .select(['id', 'source_key', 'record_hash', 'missing_since'])
    .where('source_key', 'in', keys)
    .execute();
  const byKey = new Map(existing.map((e) => [e.source_key, e]));
  const now = new Date();
  const rows: NewPersonRow[] = [];
  // A new resident who came with a 転出証明書 keeps the hub id the certificate gave them.
  const newcomers = accepted.filter((c) => !byKey.has(c.key));
  const transferIds = await certificateIdsFor(
    trx,
    newcomers.map((c) => c.record),
  );
  const fromCertificates = new Map(
    newcomers.flatMap((c, i) => {
      const t = transferIds.get(i);
      return t ? [[c.key, t] as const] : [];
    }),
  );
  const linked: { personId: string; certificateId: string }[] = [];
  for (const c of accepted) {
    const json = stableStringify(c.record);
    const hash = sha256Hex(json);
    const prior = byKey.get(c.key);
    if (prior && prior.record_hash === hash && prior.missing_since === null) {
      state.counts.unchanged++;
      continue;
    }
    if (prior) state.counts.updated++;
    else state.counts.inserted++;
    const transfer = prior ? undefined : fromCertificates.get(c.key);
    if (transfer) linked.push({ personId: transfer.id, certificateId: transfer.certificateId });
    rows.push(toRow(c, prior?.id ?? transfer?.id ?? newId('per'), json, hash, state, now));
  }
  if (rows.length === 0) return;
  await trx
    .insertInto('persons')
    .values(rows)
    .onConflict((oc) =>
      oc.column('source_key').doUpdateSet((eb) => ({
        municipality_code: eb.ref('excluded.municipality_code'),
        atena_no: eb.ref('excluded.atena_no'),
        household_id: eb.ref('excluded.household_id'),
        household_order: eb.ref('excluded.household_order'),
        resident_code: eb.ref('excluded.resident_code'),
        status: eb.ref('excluded.status'),
        kana_key: eb.ref('excluded.kana_key'),
        name_key: eb.ref('excluded.name_key'),
        kana_exact: eb.ref('excluded.kana_exact'),
        name_exact: eb.ref('excluded.name_exact'),
        address_key: eb.ref('excluded.address_key'),
        birth_iso: eb.ref('excluded.birth_iso'),
        restricted: eb.ref('excluded.restricted'),
        record: eb.ref('excluded.record'),
        provenance: eb.ref('excluded.provenance'),
        record_hash: eb.ref('excluded.record_hash'),
        missing_since: null,
        last_import_id: eb.ref('excluded.last_import_id'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
  for (const l of linked) {
    await trx
      .updateTable('transfer_persons')
      .set({ matched_person_id: l.personId })
      .where('id', '=', l.personId)
      .execute();
  }
  await updateCertificateStatus(
    trx,
    linked.map((l) => l.certificateId),
  );
  // Departmental rows that waited for these persons are theirs now.
  await linkEnrolments(
    trx,
    rows.filter((r) => !byKey.has(r.source_key)).map((r) => r.id),
  );
}

function toRow(
  c: Candidate,
  id: string,
  json: string,
  hash: string,
  state: RunState,
  now: Date,
): NewPersonRow {
  const r = c.record;
  const provenance: StoredProvenance = {
    source: { adapter: state.adapter, importId: state.id, file: state.file, line: c.line, asOf: state.asOf },
    columns: c.sources,
  };
  return {
    id,
    source_key: c.key,
    municipality_code: r.municipalityCode,
    atena_no: r.atenaNo,
    household_id: r.householdId ?? null,
    household_order: r.householdOrder ?? null,
    resident_code: r.residentCode ?? null,
    status: r.status,
    ...personSearchKeys(r),
    birth_iso: r.birthDate.iso,
    restricted: r.restrictions.supportMeasure || r.restrictions.noCrossReference,
    record: json,
    provenance: JSON.stringify(provenance),
    record_hash: hash,
    missing_since: null,
    last_import_id: state.id,
    created_at: now,
    updated_at: now,
  };
}
