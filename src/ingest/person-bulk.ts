import type { TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { MappingCatalog } from '../mapping/catalog.ts';
import type { CompiledMapping } from '../mapping/compile.ts';
import type { PersonRecord } from '../schemas/person.ts';
import type { ReadItem } from '../sdk/adapter.ts';
import type { CopyInto } from '../store/copy-into.ts';
import { insertRejects, type RejectInput } from '../store/imports-repo.ts';
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
 * 2. `mergePersons`, inside it: one statement merges the staged rows into `persons`
 *    (`INSERT … ON CONFLICT … WHERE` the record or its raw row differs, or the person was
 *    missing), links departmental rows that waited for new persons, and one more marks the
 *    persons of the file's municipalities that the file no longer has. The run is one atomic
 *    unit for readers; on PGlite they are answered between the batches of phase 1.
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
 * Staged rows of runs that are no longer running (a process that died mid-run): removed before
 * a run starts, so that staging never grows.
 */
export async function dropAbandonedStaging(db: Kysely<Database>): Promise<void> {
  await sql`
    delete from import_staging s
    where not exists (select 1 from import_runs r where r.id = s.import_id and r.status = 'running')`.execute(
    db,
  );
}

/** Phase 2, inside the run's transaction. */
export async function mergePersons(
  trx: Transaction<Database>,
  state: PersonRunProgress,
  staged: StagedPersons,
): Promise<void> {
  const id = state.id;
  const now = new Date();
  // Staging has no statistics of its own until analysed: without them the planner may join it
  // row by row (quadratic in the file) instead of hashing it once.
  let started = performance.now();
  const phase = (name: string) => {
    lap(state.phases, name, started);
    started = performance.now();
  };
  await sql`analyze import_staging`.execute(trx);
  phase('analyze');
  if (staged.mapped > 0) {
    const linked = await newcomersFromCertificates(trx, id);
    const counts = await sql<{ inserted: number; updated: number; unchanged: number }>`
      select count(*) filter (where p.id is null)::int as inserted,
        count(*) filter (where p.id is not null and (p.record_hash <> s.record_hash or p.missing_since is not null))::int as updated,
        count(*) filter (where p.id is not null and p.record_hash = s.record_hash and p.missing_since is null)::int as unchanged
      from import_staging s left join persons p on p.source_key = s.source_key
      where s.import_id = ${id} and s.record is not null`.execute(trx);
    const c = counts.rows[0]!;
    phase('count');
    state.counts.inserted += c.inserted;
    state.counts.updated += c.updated;
    state.counts.unchanged += c.unchanged;
    await sql`
      with merged as (
        insert into persons as p (id, source_key, municipality_code, atena_no, household_id, household_order,
          resident_code, status, kana_key, name_key, kana_exact, name_exact, address_key, birth_iso, restricted,
          record, record_hash, raw_hash, provenance_map, source_line, missing_since, last_import_id, created_at, updated_at)
        select person_id, source_key, municipality_code, atena_no, household_id, household_order,
          resident_code, status, kana_key, name_key, kana_exact, name_exact, address_key, birth_iso, restricted,
          record, record_hash, raw_hash, provenance_map, line, null, import_id, ${now}, ${now}
        from import_staging where import_id = ${id} and record is not null
        on conflict (source_key) do update set
          municipality_code = excluded.municipality_code, atena_no = excluded.atena_no,
          household_id = excluded.household_id, household_order = excluded.household_order,
          resident_code = excluded.resident_code, status = excluded.status,
          kana_key = excluded.kana_key, name_key = excluded.name_key, kana_exact = excluded.kana_exact,
          name_exact = excluded.name_exact, address_key = excluded.address_key, birth_iso = excluded.birth_iso,
          restricted = excluded.restricted, record = excluded.record, record_hash = excluded.record_hash,
          raw_hash = excluded.raw_hash, provenance_map = excluded.provenance_map, source_line = excluded.source_line,
          missing_since = null, last_import_id = excluded.last_import_id, updated_at = excluded.updated_at
        where p.record_hash <> excluded.record_hash or p.missing_since is not null
          or p.raw_hash is distinct from excluded.raw_hash
        returning p.id, p.atena_no, (p.xmax = 0) as inserted
      )
      -- Departmental rows that waited for these persons are theirs now.
      update enrolments e set person_id = m.id, updated_at = now()
      from merged m
      where m.inserted and e.person_id is null and e.atena_no = m.atena_no`.execute(trx);
    phase('merge');
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
    // itself the planner may join staging once per person. One hash anti-join instead.
    await sql`set local enable_nestloop = off`.execute(trx);
    await sql`set local work_mem = '64MB'`.execute(trx);
    const result = await sql`
      update persons p set missing_since = ${new Date(state.asOf)}, updated_at = ${now}
      where p.municipality_code in (${sql.join([...staged.codes])})
        and p.missing_since is null and p.status <> 'non-resident'
        and not exists (select 1 from import_staging s where s.import_id = ${id} and s.source_key = p.source_key)`.execute(
      trx,
    );
    state.counts.missing = Number(result.numAffectedRows ?? 0);
    await sql`set local enable_nestloop = on`.execute(trx);
    await sql`reset work_mem`.execute(trx);
    phase('missing');
  }
  await dropStaged(trx, id);
  phase('dropStaging');
}

/**
 * A new resident who came with a 転出証明書 keeps the hub id the certificate gave them: the
 * staged newcomers are matched only while some certificate person waits for a match.
 */
async function newcomersFromCertificates(
  trx: Transaction<Database>,
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
 * next night's raw-row lookups scan it whole, batch after batch.
 */
export async function refreshStatistics(db: Kysely<Database>, state: PersonRunProgress): Promise<void> {
  const written = state.counts.inserted + state.counts.updated;
  if (written < 1000 || written < state.counts.read / 10) return;
  const started = performance.now();
  await sql`analyze persons`.execute(db);
  lap(state.phases, 'analyzePersons', started);
}
