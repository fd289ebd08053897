import { createHash } from 'node:crypto';
import type { TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import { type Kysely, sql, type Transaction } from 'kysely';
import { errorMessage } from '../errors.ts';
import { newId } from '../ids.ts';
import type { MappingCatalog } from '../mapping/catalog.ts';
import type { CompiledMapping } from '../mapping/compile.ts';
import type { PersonRecord } from '../schemas/person.ts';
import type { ReadItem } from '../sdk/adapter.ts';
import { type CopyInto, copyText } from '../store/copy-into.ts';
import type { RejectInput } from '../store/imports-repo.ts';
import type { Database } from '../store/types.ts';
import { certificateIdsFor, updateCertificateStatus } from './certificates.ts';
import { keyOf, mapItem, type RunProgress, rejectCollector, takeMeta } from './map-item.ts';
import { ProvenanceMaps } from './provenance-maps.ts';
import { sha256Hex } from './record-hash.ts';
import { personSearchKeys } from './search-keys.ts';
import { sourceOfKey } from './source-of-key.ts';
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

export interface PersonRunProgress extends RunProgress {
  /** Rejects whose key could not be read: their persons cannot be told apart from missing ones. */
  keylessRejects: number;
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

const STAGING_COLUMNS = [
  'import_id',
  'line',
  'source_key',
  'person_id',
  'municipality_code',
  'atena_no',
  'household_id',
  'household_order',
  'resident_code',
  'status',
  'kana_key',
  'name_key',
  'kana_exact',
  'name_exact',
  'address_key',
  'birth_iso',
  'restricted',
  'record',
  'record_hash',
  'raw_hash',
  'provenance_map',
] as const;

type RecordItem = Extract<ReadItem, { kind: 'record' }>;

export async function stagePersons(
  deps: StagingDeps,
  mapping: CompiledMapping,
  check: TypeCheck<TSchema>,
  items: AsyncIterable<ReadItem>,
  state: PersonRunProgress,
  mappingFingerprint: string,
): Promise<StagedPersons> {
  const { db } = deps;
  const rejects = rejectCollector(db, state);
  const firstLine = new Map<string, number>();
  const maps = new ProvenanceMaps();
  const staged: StagedPersons = { codes: new Set(), mapped: 0 };
  const pause = loopYielder();
  let rawSeed = '';
  let batch: RecordItem[] = [];
  // The COPY of the previous batch, running while this one is mapped.
  let loading: Promise<void> = Promise.resolve();

  const reject = (r: RejectInput, keyless: boolean) => {
    if (keyless) state.keylessRejects++;
    rejects.add(r);
  };
  const duplicate = (key: string, line: number, raw: Uint8Array): boolean => {
    const first = firstLine.get(key);
    if (first === undefined) {
      firstLine.set(key, line);
      return false;
    }
    reject(
      {
        line,
        field: mapping.key.at(-1)!,
        code: 'HUB_ERR_DUPLICATE_KEY',
        message: errorMessage('HUB_ERR_DUPLICATE_KEY', {
          field: mapping.key.join('+'),
          value: key,
          firstLine: first,
        }),
        raw,
      },
      false,
    );
    return true;
  };

  const flush = async (items: RecordItem[]) => {
    if (items.length === 0) return;
    const hashes = items.map((item) => rawHash(rawSeed, item.raw));
    const known = await unchangedByRawHash(db, hashes);
    const lines: string[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const hash = hashes[i]!;
      const stored = known.get(hash);
      if (stored) {
        if (duplicate(stored.source_key, item.line, item.raw)) continue;
        state.counts.unchanged++;
        staged.codes.add(stored.municipality_code);
        state.sources.add(sourceOfKey(mapping.entity, stored.source_key));
        lines.push(`${copyText(state.id)}\t${item.line}\t${copyText(stored.source_key)}${SEEN_ONLY_TAIL}`);
        continue;
      }
      const mapped = mapItem(item, mapping, check, state, deps.mappings);
      if (mapped.kind === 'skip') {
        state.counts.skipped++;
        continue;
      }
      if (mapped.kind === 'reject') {
        reject(mapped.reject, true);
        continue;
      }
      const record = mapped.record as PersonRecord;
      const key = keyOf(mapping, record);
      if (duplicate(key, item.line, item.raw)) continue;
      staged.codes.add(record.municipalityCode);
      staged.mapped++;
      lines.push(stagingLine(state.id, item.line, key, record, hash, maps.idFor(mapped.sources)));
    }
    const newMaps = maps.takeNew();
    if (newMaps.length > 0) {
      await db
        .insertInto('provenance_maps')
        .values(newMaps.map((m) => ({ id: m.id, columns: JSON.stringify(m.columns) })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    await rejects.flush();
    await loading;
    if (lines.length === 0) return;
    lines.push('');
    loading = deps.copyInto('import_staging', STAGING_COLUMNS, lines.join('\n'));
    // Awaited before the next COPY or at the end; a failure surfaces there.
    loading.catch(() => {});
  };

  for await (const item of items) {
    await pause();
    if (item.kind === 'meta') {
      takeMeta(item, mapping, state);
      // An unchanged raw row means an unchanged person only under the same mapping, header and encoding.
      rawSeed = `${mappingFingerprint}\n${state.encoding ?? ''}\n${item.fields.join('\t')}\n`;
      continue;
    }
    state.counts.read++;
    if (item.kind === 'reject') {
      reject({ ...item }, true);
      continue;
    }
    batch.push(item);
    if (batch.length >= deps.batchSize) {
      await flush(batch);
      batch = [];
    }
  }
  await flush(batch);
  await loading;
  return staged;
}

/** After the last column (`source_key`): every other staging column null, for a row seen unchanged. */
const SEEN_ONLY_TAIL = '\t\\N'.repeat(STAGING_COLUMNS.length - 3);

function rawHash(seed: string, raw: Uint8Array): string {
  return createHash('sha256').update(seed).update(raw).digest('base64url').slice(0, 22);
}

async function unchangedByRawHash(db: Kysely<Database>, hashes: string[]) {
  const rows = await db
    .selectFrom('persons')
    .select(['raw_hash', 'source_key', 'municipality_code'])
    .where('raw_hash', 'in', hashes)
    .where('missing_since', 'is', null)
    .execute();
  return new Map(rows.map((r) => [r.raw_hash!, r]));
}

function stagingLine(
  importId: string,
  line: number,
  key: string,
  r: PersonRecord,
  rawHash: string,
  provenanceMap: string,
): string {
  const json = JSON.stringify(r);
  const k = personSearchKeys(r);
  return [
    copyText(importId),
    line,
    copyText(key),
    copyText(newId('per')),
    copyText(r.municipalityCode),
    copyText(r.atenaNo),
    copyText(r.householdId),
    copyText(r.householdOrder),
    copyText(r.residentCode),
    copyText(r.status),
    copyText(k.kana_key),
    copyText(k.name_key),
    copyText(k.kana_exact),
    copyText(k.name_exact),
    copyText(k.address_key),
    copyText(r.birthDate.iso),
    copyText(r.restrictions.supportMeasure || r.restrictions.noCrossReference),
    copyText(json),
    sha256Hex(json),
    rawHash,
    provenanceMap,
  ].join('\t');
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
  if (staged.mapped > 0) {
    const linked = await newcomersFromCertificates(trx, id);
    const counts = await sql<{ inserted: number; updated: number; unchanged: number }>`
      select count(*) filter (where p.id is null)::int as inserted,
        count(*) filter (where p.id is not null and (p.record_hash <> s.record_hash or p.missing_since is not null))::int as updated,
        count(*) filter (where p.id is not null and p.record_hash = s.record_hash and p.missing_since is null)::int as unchanged
      from import_staging s left join persons p on p.source_key = s.source_key
      where s.import_id = ${id} and s.record is not null`.execute(trx);
    const c = counts.rows[0]!;
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
    const result = await sql`
      update persons p set missing_since = ${new Date(state.asOf)}, updated_at = ${now}
      where p.municipality_code in (${sql.join([...staged.codes])})
        and p.missing_since is null and p.status <> 'non-resident'
        and not exists (select 1 from import_staging s where s.import_id = ${id} and s.source_key = p.source_key)`.execute(
      trx,
    );
    state.counts.missing = Number(result.numAffectedRows ?? 0);
  }
  await dropStaged(trx, id);
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
