import { TypeCompiler } from '@sinclair/typebox/compiler';
import { type Kysely, sql, type Transaction } from 'kysely';
import { InputError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { MappingCatalog } from '../mapping/catalog.ts';
import type { CompiledMapping } from '../mapping/compile.ts';
import { addressKey, sameAddress } from '../normalize/address-key.ts';
import { Address } from '../schemas/address.ts';
import { HubDate } from '../schemas/common.ts';
import { PersonName, type PersonRecord } from '../schemas/person.ts';
import { TransferPersonRecord } from '../schemas/transfer-certificate.ts';
import type { ReadItem } from '../sdk/adapter.ts';
import { published } from '../store/published.ts';
import type { Database } from '../store/types.ts';
import { keyOf, mapItem, type RunProgress, takeMeta } from './map-item.ts';
import { sha256Hex, stableStringify } from './record-hash.ts';
import { addressText, personSearchKeys, transferPersonSearchKeys } from './search-keys.ts';
import { loopYielder } from './yield-to-loop.ts';

const check = TypeCompiler.Compile(TransferPersonRecord, [HubDate, Address, PersonName]);

/**
 * Imports one 転出証明書 (all its persons) as a pending transfer-in. A certificate is whole or
 * not at all: any person that does not map (missing data, a wrong 個人番号 check digit, an
 * unknown 続柄) fails the run with that reason. Persons keep their hub ids when the same
 * certificate comes again; persons already in the register are linked by 住民票コード.
 */
export async function ingestCertificate(
  trx: Transaction<Database>,
  mapping: CompiledMapping,
  items: AsyncIterable<ReadItem>,
  run: RunProgress,
  mappings: MappingCatalog,
): Promise<void> {
  const persons: TransferPersonRecord[] = [];
  const pause = loopYielder();
  for await (const item of items) {
    await pause();
    if (item.kind === 'meta') {
      takeMeta(item, mapping, run);
      continue;
    }
    run.counts.read++;
    const mapped =
      item.kind === 'reject'
        ? { kind: 'reject' as const, reject: item }
        : mapItem(item, mapping, check, run, mappings);
    if (mapped.kind === 'skip') continue;
    if (mapped.kind === 'reject') {
      run.counts.rejected++;
      run.keptRejects.push(mapped.reject);
      const r = mapped.reject;
      throw new InputError(
        'HUB_ERR_CERTIFICATE',
        { line: r.line, ...(r.field ? { field: r.field } : {}) },
        {
          message: `順位 ${r.line} の ${r.field ?? ''}: ${r.message}`,
        },
      );
    }
    persons.push(mapped.record as TransferPersonRecord);
  }
  const first = persons[0];
  if (!first) throw new InputError('HUB_ERR_CERTIFICATE', { line: 0 }, { message: '異動者がいません' });
  const orders = new Set(persons.map((p) => p.order));
  if (orders.size !== persons.length)
    throw new InputError(
      'HUB_ERR_CERTIFICATE',
      { line: 0, field: '順位' },
      { message: '順位が重複しています' },
    );

  const certificate = first.certificate;
  const sourceKey = keyOf(mapping, first).split(':').slice(0, -1).join(':');
  const personRecords = persons.map(({ certificate: _c, ...rest }) => rest).sort((a, b) => a.order - b.order);
  const hash = sha256Hex(stableStringify({ certificate, persons: personRecords }));
  const prior = await trx
    .selectFrom('transfer_certificates')
    .select(['id', 'record_hash', 'version'])
    .where('source_key', '=', sourceKey)
    .executeTakeFirst();
  if (prior && prior.record_hash === hash) {
    run.counts.unchanged += persons.length;
    return;
  }
  await refuseReissue(trx, sourceKey, certificate.number, personRecords);
  const certificateId = prior?.id ?? newId('tc');
  const version = prior ? prior.version + 1 : 1;
  const now = new Date();
  await trx
    .insertInto('transfer_certificates')
    .values({
      id: certificateId,
      source_key: sourceKey,
      number: certificate.number,
      record: JSON.stringify(certificate),
      record_hash: hash,
      status: 'pending',
      import_id: run.id,
      file_name: run.file,
      as_of: run.asOf,
      updated_at: now,
      version,
    })
    .onConflict((oc) =>
      oc.column('source_key').doUpdateSet((eb) => ({
        record: eb.ref('excluded.record'),
        record_hash: eb.ref('excluded.record_hash'),
        import_id: eb.ref('excluded.import_id'),
        file_name: eb.ref('excluded.file_name'),
        as_of: eb.ref('excluded.as_of'),
        updated_at: eb.ref('excluded.updated_at'),
        version: eb.ref('excluded.version'),
      })),
    )
    .execute();
  // The content of every version stays, so a corrected certificate never erases the first one.
  await trx
    .insertInto('transfer_certificate_versions')
    .values({
      certificate_id: certificateId,
      version,
      record: JSON.stringify({ certificate, persons: personRecords }),
      record_hash: hash,
      import_id: run.id,
      file_name: run.file,
      as_of: run.asOf,
    })
    .execute();
  const existing = await trx
    .selectFrom('transfer_persons')
    .select(['id', 'position'])
    .where('certificate_id', '=', certificateId)
    .execute();
  const idByPosition = new Map(existing.map((e) => [e.position, e.id]));
  const destinationKey = addressKey(addressText(certificate.destination));
  for (const p of personRecords) {
    const id = idByPosition.get(p.order);
    const keys = transferPersonSearchKeys(p);
    const registered = p.residentCode
      ? await trx
          .selectFrom('persons')
          .select('id')
          .where('resident_code', '=', p.residentCode)
          .where(published('persons'))
          .executeTakeFirst()
      : await registeredByAddress(trx, p.birthDate.iso, keys, destinationKey);
    const row = {
      certificate_id: certificateId,
      position: p.order,
      resident_code: p.residentCode ?? null,
      ...keys,
      birth_iso: p.birthDate.iso,
      record: JSON.stringify(p),
      matched_person_id: registered?.id ?? null,
    };
    if (id) {
      await trx.updateTable('transfer_persons').set(row).where('id', '=', id).execute();
      run.counts.updated++;
    } else {
      // A resident keeps their id from the certificate they came with; a later certificate
      // (moving away and back) gives its person a new one, linked by matched_person_id.
      const taken =
        registered &&
        (await trx
          .selectFrom('transfer_persons')
          .select('id')
          .where('id', '=', registered.id)
          .executeTakeFirst());
      await trx
        .insertInto('transfer_persons')
        .values({ id: registered && !taken ? registered.id : newId('per'), ...row })
        .execute();
      run.counts.inserted++;
    }
  }
  const gone = [...idByPosition.entries()].filter(([pos]) => !orders.has(pos)).map(([, id]) => id);
  if (gone.length > 0) await trx.deleteFrom('transfer_persons').where('id', 'in', gone).execute();
  await updateCertificateStatus(trx, [certificateId]);
}

/**
 * A certificate under another number from the same municipality, for a person (by 住民票コード)
 * already on one of its certificates, is a re-issue (再交付): refused with its own code, so
 * that one move never stands as two pending transfer-ins. The earlier certificate is the one
 * to use; a correction under the same number is a new version instead.
 */
async function refuseReissue(
  trx: Transaction<Database>,
  sourceKey: string,
  number: string,
  persons: { order: number; residentCode?: string }[],
): Promise<void> {
  const codes = persons.map((p) => p.residentCode).filter((c): c is string => !!c);
  if (codes.length === 0) return;
  const municipality = sourceKey.slice(0, sourceKey.indexOf(':') + 1);
  const earlier = await trx
    .selectFrom('transfer_persons as p')
    .innerJoin('transfer_certificates as c', 'c.id', 'p.certificate_id')
    .select(['c.number', 'p.resident_code'])
    .where('p.resident_code', 'in', codes)
    .where('c.source_key', '!=', sourceKey)
    .where(sql<boolean>`left(c.source_key, ${municipality.length}) = ${municipality}`)
    .orderBy('c.as_of')
    .executeTakeFirst();
  if (!earlier) return;
  const order = persons.find((p) => p.residentCode === earlier.resident_code)?.order;
  throw new InputError(
    'HUB_ERR_CERTIFICATE_REISSUED',
    { line: order ?? 0, field: '住民票コード' },
    { number, order, previous: earlier.number },
  );
}

/** True when two `|`-joined key lists share a key. */
function sharesKey(a: string, b: string): boolean {
  const mine = new Set(a.split('|').filter((k) => k !== ''));
  return b.split('|').some((k) => mine.has(k));
}

/**
 * A certificate person without a 住民票コード is the register's person when exactly one person
 * has the same birth date, shares a name or kana key, and lives at the certificate's 転出先 by the
 * address match key (丁目 numerals, ケ/ヶ, hyphens and 番地/番/号 folded).
 */
async function registeredByAddress(
  trx: Transaction<Database>,
  birthIso: string | null,
  keys: { kana_key: string; name_key: string },
  destinationKey: string,
): Promise<{ id: string } | undefined> {
  if (!birthIso || destinationKey === '') return undefined;
  const rows = await trx
    .selectFrom('persons')
    .select(['id', 'kana_key', 'name_key', 'address_key'])
    .where('birth_iso', '=', birthIso)
    .where(published('persons'))
    .execute();
  const shares = (a: string, b: string) =>
    a !== '' && b.split('|').some((k) => k !== '' && a.split('|').includes(k));
  const hits = rows.filter(
    (r) =>
      (shares(keys.name_key, r.name_key) || shares(keys.kana_key, r.kana_key)) &&
      sameAddress(destinationKey, r.address_key),
  );
  return hits.length === 1 ? { id: hits[0]!.id } : undefined;
}

/** A certificate is `registered` once every person in it is a resident of the register. */
export async function updateCertificateStatus(
  trx: Transaction<Database>,
  certificateIds: string[],
): Promise<void> {
  if (certificateIds.length === 0) return;
  const rows = await trx
    .selectFrom('transfer_persons')
    .select(['certificate_id', 'matched_person_id'])
    .where('certificate_id', 'in', certificateIds)
    .execute();
  for (const id of new Set(certificateIds)) {
    const mine = rows.filter((r) => r.certificate_id === id);
    const status =
      mine.length > 0 && mine.every((r) => r.matched_person_id !== null) ? 'registered' : 'pending';
    await trx.updateTable('transfer_certificates').set({ status }).where('id', '=', id).execute();
  }
}

/**
 * For persons new to the register: the hub id of the certificate person they are, so that a
 * person's id never changes across the 転入. A certificate person is found by 住民票コード, or,
 * when the certificate has none for them, by birth date, a shared name or kana key and the
 * certificate's 転出先 matching the person's address by the address match key (unique only).
 * The answer is keyed by the index of the person in `persons`.
 */
export async function certificateIdsFor(
  trx: Kysely<Database>,
  persons: readonly PersonRecord[],
): Promise<Map<number, { id: string; certificateId: string }>> {
  const found = new Map<number, { id: string; certificateId: string }>();
  if (persons.length === 0) return found;
  const codes = persons.map((p) => p.residentCode).filter((c): c is string => Boolean(c));
  if (codes.length > 0) {
    const rows = await trx
      .selectFrom('transfer_persons')
      .select(['id', 'certificate_id', 'resident_code'])
      .where('resident_code', 'in', codes)
      .where('matched_person_id', 'is', null)
      .execute();
    const byCode = new Map(
      rows.map((r) => [r.resident_code!, { id: r.id, certificateId: r.certificate_id }]),
    );
    persons.forEach((p, i) => {
      const hit = p.residentCode ? byCode.get(p.residentCode) : undefined;
      if (hit) found.set(i, hit);
    });
  }
  const births = [
    ...new Set(
      persons
        .filter((_, i) => !found.has(i))
        .map((p) => p.birthDate.iso)
        .filter((b) => b !== null),
    ),
  ];
  if (births.length === 0) return found;
  const candidates = await trx
    .selectFrom('transfer_persons as p')
    .innerJoin('transfer_certificates as c', 'c.id', 'p.certificate_id')
    .select(['p.id', 'p.certificate_id', 'p.birth_iso', 'p.kana_key', 'p.name_key', 'c.record'])
    .where('p.resident_code', 'is', null)
    .where('p.matched_person_id', 'is', null)
    .where('p.birth_iso', 'in', births)
    .execute();
  if (candidates.length === 0) return found;
  const taken = new Set([...found.values()].map((v) => v.id));
  persons.forEach((p, i) => {
    if (found.has(i)) return;
    const keys = personSearchKeys(p);
    const hits = candidates.filter(
      (c) =>
        !taken.has(c.id) &&
        c.birth_iso === p.birthDate.iso &&
        (sharesKey(keys.name_key, c.name_key) || sharesKey(keys.kana_key, c.kana_key)) &&
        sameAddress(keys.address_key, addressKey(addressText(c.record.destination))),
    );
    if (hits.length !== 1) return;
    found.set(i, { id: hits[0]!.id, certificateId: hits[0]!.certificate_id });
    taken.add(hits[0]!.id);
  });
  return found;
}
