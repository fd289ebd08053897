import type { TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { MappingCatalog } from '../mapping/catalog.ts';
import type { CompiledMapping } from '../mapping/compile.ts';
import { pauseForTest } from '../runtime/test-pause.ts';
import type { PersonRecord } from '../schemas/person.ts';
import type { ReadItem } from '../sdk/adapter.ts';
import type { CopyInto } from '../store/copy-into.ts';
import { insertRejects, type RejectInput } from '../store/imports-repo.ts';
import { published } from '../store/published.ts';
import type { Database } from '../store/types.ts';
import { certificateIdsFor, updateCertificateStatus } from './certificates.ts';
import type { RunProgress } from './map-item.ts';
import {
  type KnownRow,
  lap,
  PersonStager,
  STAGING_COLUMNS,
  type StagedBatch,
  type StagerProgress,
} from './person-stager.ts';
import { loopYielder } from './yield-to-loop.ts';

/**
 * The bulk path of a person import, in two phases.
 *
 * 1. `stagePersons`, outside the run's transaction: rows are read, an unchanged row (same raw
 *    bytes through the same mapping, header and encoding as the stored person) is only noted as
 *    seen, the others are mapped, and every accepted row goes to `import_staging` by COPY, a
 *    batch at a time; the next batch is mapped while the database loads the last one. A key
 *    seen twice in the file is a reject naming the first line. Nothing readers see changes.
 * 2. `insertNewPersons`, still outside it: the staged persons the register does not have yet
 *    are moved into `persons` slice by slice (a slice is a range of staging's blocks, sized to
 *    take about SLICE_MS), unpublished: no reader sees them while the run is in
 *    `unpublished_runs` (migration 0017). Between two slices PGlite answers waiting reads.
 * 3. `mergePersons`, inside it: one statement merges the remaining staged rows into `persons`
 *    (`INSERT … ON CONFLICT … WHERE` the record or its raw row differs, or the person was
 *    missing), links departmental rows and certificates that waited for the new persons, one
 *    more marks the persons of the file's municipalities that the file no longer has, and the
 *    run leaves `unpublished_runs`. Readers see the run as one unit: all of it or none of it.
 */

export interface PersonRunProgress extends RunProgress, StagerProgress {
  counts: RunProgress['counts'];
  /** Milliseconds per phase of the run, for the log line of its end (a profile of every import). */
  phases: Record<string, number>;
}

export interface StagingDeps {
  db: Kysely<Database>;
  copyInto: CopyInto;
  mappings: MappingCatalog;
  batchSize: number;
}

/** What phase 1 leaves for phase 2. */
export interface StagedPersons {
  /** 市区町村コード of the accepted rows: the scope of the missing-persons update. */
  codes: Set<string>;
  /** Rows mapped and staged (their merge decides inserted / updated / unchanged). */
  mapped: number;
}

/** What phase 2 leaves for phase 3: the new persons that keep the id a 転出証明書 gave them. */
export interface InsertedPersons {
  linked: { personId: string; certificateId: string }[];
}

/** How long one slice of phase 2 should keep the database (PGlite: its only connection). */
const SLICE_MS = 200;

/** Phase 1 in the hub's own thread: read, stage batch by batch, yielding between rows. */
export async function stagePersons(
  deps: StagingDeps,
  mapping: CompiledMapping,
  check: TypeCheck<TSchema>,
  items: AsyncIterable<ReadItem>,
  state: PersonRunProgress,
  mappingFingerprint: string,
): Promise<StagedPersons> {
  const stager = new PersonStager(mapping, check, deps.mappings, state, mappingFingerprint);
  const writer = stagingWriter(deps.db, deps.copyInto, state);
  const started = performance.now();
  try {
    await stager.stageAll(items, writer, deps.batchSize, state.phases, loopYielder());
  } catch (error) {
    // The rejects found before the failure are kept with the failed run.
    await writer.done().catch(() => {});
    throw error;
  }
  await writer.done();
  lap(state.phases, 'stage', started);
  return { codes: stager.codes, mapped: stager.mapped };
}

/**
 * The database side of staging: unchanged raw rows looked up, column maps and rejects stored,
 * rows loaded by COPY; the next batch is prepared while the database loads the last one.
 */
export function stagingWriter(db: Kysely<Database>, copyInto: CopyInto, state: PersonRunProgress) {
  let loading: Promise<void> = Promise.resolve();
  let pendingRejects: RejectInput[] = [];
  return {
    async lookup(hashes: string[]): Promise<Map<string, KnownRow>> {
      const started = performance.now();
      const rows = await db
        .selectFrom('persons')
        .select(['raw_hash', 'source_key', 'municipality_code'])
        .where('raw_hash', 'in', hashes)
        .where('missing_since', 'is', null)
        .where(published('persons'))
        .execute();
      lap(state.phases, 'lookup', started);
      return new Map(rows.map((r) => [r.raw_hash!, r]));
    },
    async write(batch: StagedBatch): Promise<void> {
      if (batch.maps.length > 0) {
        await db
          .insertInto('provenance_maps')
          .values(batch.maps.map((m) => ({ id: m.id, columns: JSON.stringify(m.columns) })))
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      pendingRejects.push(...batch.rejects);
      if (pendingRejects.length >= 500 || batch.text !== '') {
        await insertRejects(db, state.id, pendingRejects);
        pendingRejects = [];
      }
      const waited = performance.now();
      await loading;
      lap(state.phases, 'copyWait', waited);
      if (batch.text === '') return;
      loading = (async () => {
        const started = performance.now();
        await copyInto('import_staging', STAGING_COLUMNS, batch.text);
        lap(state.phases, 'copy', started);
      })();
      // Awaited before the next COPY or at the end; a failure surfaces there.
      loading.catch(() => {});
    },
    async done(): Promise<void> {
      await insertRejects(db, state.id, pendingRejects);
      pendingRejects = [];
      await loading;
    },
  };
}

/** Leaves nothing of a run in staging (after its merge, or when it failed). */
export async function dropStaged(db: Kysely<Database>, importId: string): Promise<void> {
  await db.deleteFrom('import_staging').where('import_id', '=', importId).execute();
}

/**
 * A run that failed takes back the persons it inserted unpublished (in one transaction with
 * leaving `unpublished_runs`; a run already published keeps them).
 */
export async function dropUnpublished(db: Kysely<Database>, importId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const listed = await trx
      .deleteFrom('unpublished_runs')
      .where('import_id', '=', importId)
      .executeTakeFirst();
    if (Number(listed.numDeletedRows) === 0) return;
    await trx.deleteFrom('persons').where('inserted_by_run', '=', importId).execute();
  });
}

/**
 * What runs that are no longer running left (a process that died mid-run): their staged rows
 * and their unpublished persons, removed before a run starts, so that neither ever grows.
 */
export async function dropAbandoned(db: Kysely<Database>): Promise<void> {
  const notRunning = (column: string) =>
    sql`not exists (select 1 from import_runs r where r.id = ${sql.ref(column)} and r.status = 'running')`;
  await sql`delete from import_staging s where ${notRunning('s.import_id')}`.execute(db);
  const abandoned = await sql<{ import_id: string }>`
    select u.import_id from unpublished_runs u where ${notRunning('u.import_id')}`.execute(db);
  for (const run of abandoned.rows) await dropUnpublished(db, run.import_id);
}

/**
 * The `persons` columns a merge writes and their values from staged rows (`from`: staging,
 * aliased or not, with its condition). A new person carries its run in `inserted_by_run`.
 */
function insertStaged(from: RawBuilder<unknown>, now: Date) {
  return sql`
    insert into persons as p (id, source_key, municipality_code, atena_no, household_id, household_order,
      resident_code, status, kana_key, name_key, kana_exact, name_exact, address_key, birth_iso, restricted,
      record, record_hash, raw_hash, provenance_map, source_line, missing_since, last_import_id, inserted_by_run,
      created_at, updated_at)
    select person_id, source_key, municipality_code, atena_no, household_id, household_order,
      resident_code, status, kana_key, name_key, kana_exact, name_exact, address_key, birth_iso, restricted,
      record, record_hash, raw_hash, provenance_map, line, null, import_id, import_id, ${now}, ${now}
    from ${from}`;
}

/**
 * Phase 2, outside the run's transaction: the staged persons the register does not have are
 * inserted unpublished, one slice of staging's blocks at a time (each slice one statement that
 * also removes the rows it inserted from staging), the slices sized to take about SLICE_MS, with a turn of
 * the event loop between them.
 */
export async function insertNewPersons(
  db: Kysely<Database>,
  state: PersonRunProgress,
  staged: StagedPersons,
): Promise<InsertedPersons> {
  const id = state.id;
  let started = performance.now();
  // Staging has no statistics of its own until analysed: without them the planner may join it
  // row by row (quadratic in the file) instead of hashing it once. The record is left out: its
  // statistics serve no plan and reading them costs the most.
  await sql`analyze import_staging (import_id, source_key, municipality_code)`.execute(db);
  lap(state.phases, 'analyze', started);
  if (staged.mapped === 0) return { linked: [] };
  const linked = await newcomersFromCertificates(db, id);
  started = performance.now();
  await db.insertInto('unpublished_runs').values({ import_id: id }).execute();
  const { rows } = await sql<{ blocks: number }>`
    select (pg_relation_size('import_staging') / current_setting('block_size')::bigint)::int as blocks`.execute(
    db,
  );
  const blocks = rows[0]!.blocks;
  const now = new Date();
  const pause = loopYielder(0);
  let size = 16;
  for (let from = 0, next = size; from < blocks; from = next) {
    next = from + size;
    const sliceStarted = performance.now();
    const inSlice = sql`s.ctid >= ${`(${from},0)`}::tid and s.ctid < ${`(${next},0)`}::tid and s.import_id = ${id}`;
    // A person another run inserted meanwhile (two instances, one file) stays staged for the merge.
    const result = await sql`
      with inserted as (
        ${insertStaged(
          sql`import_staging s
            where ${inSlice} and s.record is not null
              and not exists (select 1 from persons e where e.source_key = s.source_key)`,
          now,
        )}
        on conflict (source_key) do nothing
        returning p.source_key)
      delete from import_staging s using inserted i
      where ${inSlice} and s.source_key = i.source_key`.execute(db);
    state.counts.inserted += Number(result.numAffectedRows ?? 0);
    if (from === 0) await pauseForTest('import-after-first-slice');
    const took = performance.now() - sliceStarted;
    size = Math.max(4, Math.min(size * 4, Math.round((size * SLICE_MS) / Math.max(took, 1))));
    await pause();
  }
  lap(state.phases, 'insertNew', started);
  return { linked };
}

/** Phase 2, inside the run's transaction. */
export async function mergePersons(
  trx: Transaction<Database>,
  state: PersonRunProgress,
  staged: StagedPersons,
  { linked }: InsertedPersons,
): Promise<void> {
  const id = state.id;
  const now = new Date();
  let started = performance.now();
  const phase = (name: string) => {
    lap(state.phases, name, started);
    started = performance.now();
  };
  if (staged.mapped > 0) {
    // A person nobody could see before (unpublished by a run that never ended) counts as new.
    const counts = await sql<{ inserted: number; updated: number; unchanged: number }>`
      select count(*) filter (where k.known is not true)::int as inserted,
        count(*) filter (where k.known and (k.record_hash <> s.record_hash or k.missing_since is not null))::int as updated,
        count(*) filter (where k.known and k.record_hash = s.record_hash and k.missing_since is null)::int as unchanged
      from import_staging s
      left join lateral (
        select ${published('p')} as known, p.record_hash, p.missing_since from persons p where p.source_key = s.source_key
      ) k on true
      where s.import_id = ${id} and s.record is not null`.execute(trx);
    const c = counts.rows[0]!;
    phase('count');
    state.counts.inserted += c.inserted;
    state.counts.updated += c.updated;
    state.counts.unchanged += c.unchanged;
    // What is left updates persons (the slices inserted the new ones; one inserted here, whose
    // earlier row went meanwhile, is this run's like theirs), and a person left unpublished by a
    // run that never ended is taken over (and shown) by this one.
    await sql`
        ${insertStaged(sql`import_staging where import_id = ${id} and record is not null`, now)}
        on conflict (source_key) do update set
          municipality_code = excluded.municipality_code, atena_no = excluded.atena_no,
          household_id = excluded.household_id, household_order = excluded.household_order,
          resident_code = excluded.resident_code, status = excluded.status,
          kana_key = excluded.kana_key, name_key = excluded.name_key, kana_exact = excluded.kana_exact,
          name_exact = excluded.name_exact, address_key = excluded.address_key, birth_iso = excluded.birth_iso,
          restricted = excluded.restricted, record = excluded.record, record_hash = excluded.record_hash,
          raw_hash = excluded.raw_hash, provenance_map = excluded.provenance_map, source_line = excluded.source_line,
          missing_since = null, last_import_id = excluded.last_import_id, inserted_by_run = null,
          updated_at = excluded.updated_at
        where p.record_hash <> excluded.record_hash or p.missing_since is not null
          or p.raw_hash is distinct from excluded.raw_hash or not ${published('p')}`.execute(trx);
    phase('merge');
    const waiting = await trx
      .selectFrom('enrolments')
      .select('id')
      .where('person_id', 'is', null)
      .limit(1)
      .executeTakeFirst();
    if (waiting) {
      // Departmental rows that waited for the new persons are theirs now.
      await sql`
        update enrolments e set person_id = p.id, updated_at = now()
        from persons p
        where p.inserted_by_run = ${id} and e.person_id is null and e.atena_no = p.atena_no`.execute(trx);
      phase('linkEnrolments');
    }
    if (linked.length > 0) {
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
    }
  }
  if (state.mode === 'full' && state.keylessRejects === 0 && staged.codes.size > 0) {
    // The persons just merged are not in the statistics yet (the table may look empty): left to
    // itself the planner may join staging once per person. One hash anti-join instead, for the
    // rest of the transaction (its last statements join nothing). With a join method disabled
    // the plan's cost looks huge and PostgreSQL would compile it with LLVM first (seen taking
    // minutes): no JIT either.
    await sql`
      select set_config('enable_nestloop', 'off', true), set_config('work_mem', '64MB', true),
        set_config('jit', 'off', true)`.execute(trx);
    const result = await sql`
      update persons p set missing_since = ${new Date(state.asOf)}, updated_at = ${now}
      where p.municipality_code in (${sql.join([...staged.codes])})
        and p.missing_since is null and p.status <> 'non-resident' and p.inserted_by_run is distinct from ${id}
        and not exists (select 1 from import_staging s where s.import_id = ${id} and s.source_key = p.source_key)`.execute(
      trx,
    );
    state.counts.missing = Number(result.numAffectedRows ?? 0);
    phase('missing');
  }
  await trx.deleteFrom('unpublished_runs').where('import_id', '=', id).execute();
  await dropStaged(trx, id);
  phase('dropStaging');
}

/**
 * A new resident who came with a 転出証明書 keeps the hub id the certificate gave them: the
 * staged newcomers are matched only while some certificate person waits for a match.
 */
async function newcomersFromCertificates(
  trx: Kysely<Database>,
  importId: string,
): Promise<{ personId: string; certificateId: string }[]> {
  const waiting = await trx
    .selectFrom('transfer_persons')
    .select('id')
    .where('matched_person_id', 'is', null)
    .limit(1)
    .executeTakeFirst();
  if (!waiting) return [];
  const newcomers = await sql<{ line: number; record: PersonRecord }>`
    select s.line, s.record from import_staging s
    where s.import_id = ${importId} and s.record is not null
      and not exists (select 1 from persons p where p.source_key = s.source_key)
    order by s.line`.execute(trx);
  const linked: { personId: string; certificateId: string }[] = [];
  const rows = newcomers.rows;
  for (let start = 0; start < rows.length; start += 500) {
    const slice = rows.slice(start, start + 500);
    const found = await certificateIdsFor(
      trx,
      slice.map((r) => r.record),
    );
    for (const [i, transfer] of found) {
      await sql`update import_staging set person_id = ${transfer.id}
        where import_id = ${importId} and line = ${slice[i]!.line}`.execute(trx);
      linked.push({ personId: transfer.id, certificateId: transfer.certificateId });
    }
  }
  return linked;
}

/**
 * After a run that wrote many persons, the planner's statistics of `persons` are refreshed at
 * once (PGlite has no autovacuum; PostgreSQL's comes later): with a table it believes empty, the
 * next night's raw-row lookups scan it whole, batch after batch. Only the columns queries
 * select by: the records' statistics serve no plan and took nine tenths of the time (4.6 s of
 * one statement at 100,000 persons on PGlite, which no reader could interrupt; 0.5 s without).
 */
export async function refreshStatistics(db: Kysely<Database>, state: PersonRunProgress): Promise<void> {
  const written = state.counts.inserted + state.counts.updated;
  if (written < 1000 || written < state.counts.read / 10) return;
  const started = performance.now();
  await sql`
    analyze persons (id, source_key, raw_hash, municipality_code, atena_no, household_id, status, kana_key,
      name_key, birth_iso, restricted, resident_code, missing_since, inserted_by_run, last_import_id)`.execute(
    db,
  );
  lap(state.phases, 'analyzePersons', started);
}
