import { type Expression, type Kysely, type SqlBool, sql } from 'kysely';
import { coalesced } from './coalesce.ts';
import { published } from './published.ts';
import type { Database, PersonRow } from './types.ts';

/**
 * The address a person lives at, as a comparable key: the printed full address without any
 * white space. Two persons with the same key share an address.
 */
const addressKey = (alias: string) =>
  sql<string>`regexp_replace(coalesce(${sql.ref(`${alias}.record`)}->'address'->>'full', ''), '\\s', '', 'g')`;

/**
 * True for a person row (by alias) who is not restricted but shares a household or an address
 * with a restricted person (支援措置, 他業務参照不可): their address, 本籍 and household lead to the
 * restricted person, so they are shielded too.
 */
export function sharesWithRestricted(alias: string): Expression<SqlBool> {
  return sql<SqlBool>`exists (
    select 1 from persons r
    where r.restricted and r.id <> ${sql.ref(`${alias}.id`)} and ${published('r')} and (
      (r.household_id is not null and r.household_id = ${sql.ref(`${alias}.household_id`)}
        and r.municipality_code = ${sql.ref(`${alias}.municipality_code`)})
      or (${addressKey('r')} <> '' and ${addressKey('r')} = ${addressKey(alias)})
    ))`;
}

/**
 * A person's row version: changes with every update of the row (any column, any writer). The
 * rest of what `person_records` shows (the run's file and time, the column map) does not change
 * once written.
 */
export function rowVersion(alias: string) {
  return sql<string>`${sql.ref(`${alias}.xmin`)}::text || ':' || ${sql.ref(`${alias}.ctid`)}::text`;
}

/** The row version (see rowVersion) of a `person_records` row by alias, from its `persons` row. */
export function recordVersion(alias: string) {
  return sql<string>`(select ${rowVersion('v')} from persons v where v.id = ${sql.ref(`${alias}.id`)})`;
}

/**
 * Whether the person at `alias` is shielded: not restricted, but sharing a household or an
 * address with a restricted person; `false` without asking when `check` is false.
 */
export function shielded(alias: string, check: boolean) {
  return check
    ? sql<boolean>`(not ${sql.ref(`${alias}.restricted`)} and ${sharesWithRestricted(alias)})`
    : sql<boolean>`false`;
}

/** What the disclosure policy needs to know of one person to answer a read of them. */
export interface PersonStanding {
  id: string;
  restricted: boolean;
  /** Not restricted, but shares a household or address with a restricted person (when asked). */
  shielded: boolean;
  /** The row's version (see rowVersion), to recognise a view built from it before. */
  version: string;
}

/** What a restricted person is known by, to recognise them in text the hub cannot parse. */
export interface RestrictedMarks {
  atenaNos: string[];
  householdIds: string[];
  texts: string[];
}

/**
 * The queries behind the disclosure policy (`src/access/disclosure.ts`). Restricted persons
 * are few; the partial index `persons_restricted` keeps these lookups off the whole table.
 */
export function createDisclosureRepository(db: Kysely<Database>) {
  const byId = <T extends { id: string }>(rows: T[]) => new Map(rows.map((r) => [r.id, r]));
  const rowsOf = (checkShield: boolean) =>
    coalesced((ids: string[]) =>
      db
        .selectFrom('person_records as p')
        .selectAll('p')
        .select([shielded('p', checkShield).as('shielded'), recordVersion('p').as('version')])
        .where('p.id', 'in', ids)
        .execute()
        .then(byId),
    );
  const standingOf = (checkShield: boolean) =>
    coalesced((ids: string[]) =>
      db
        .selectFrom('persons as p')
        .select([
          'p.id',
          'p.restricted',
          shielded('p', checkShield).as('shielded'),
          rowVersion('p').as('version'),
        ])
        .where('p.id', 'in', ids)
        .where(published('p'))
        .execute()
        .then(byId),
    );
  const rowsShielded = rowsOf(true);
  const rowsFull = rowsOf(false);
  const standingShielded = standingOf(true);
  const standingFull = standingOf(false);

  return {
    /**
     * One person by id with their standing, in one statement: the row, whether they are
     * shielded (only computed when `checkShield`), and the row's version. Reads that arrive
     * together share the statement (see coalesced).
     */
    personForRead(id: string, checkShield: boolean): Promise<(PersonRow & PersonStanding) | undefined> {
      return (checkShield ? rowsShielded : rowsFull)(id);
    },

    /** Only the standing of one person by id (for a view cached from a known version). */
    personStanding(id: string, checkShield: boolean): Promise<PersonStanding | undefined> {
      return (checkShield ? standingShielded : standingFull)(id);
    },

    /** Of the given non-restricted persons, those who share a household or address with a restricted one. */
    async shieldedAmong(ids: readonly string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await db
        .selectFrom('persons as p')
        .select('p.id')
        .where('p.id', 'in', [...ids])
        .where('p.restricted', '=', false)
        .where(published('p'))
        .where(sharesWithRestricted('p'))
        .execute();
      return new Set(rows.map((r) => r.id));
    },

    /** True when a household has a restricted member, or a member who shares an address with one. */
    async householdShielded(householdId: string): Promise<boolean> {
      const row = await db
        .selectFrom('persons as p')
        .select('p.id')
        .where('p.household_id', '=', householdId)
        .where(published('p'))
        .where((eb) => eb.or([eb('p.restricted', '=', true), sharesWithRestricted('p')]))
        .limit(1)
        .executeTakeFirst();
      return !!row;
    },

    /**
     * Certificates that lead to a restricted person: one of its persons is (by match, 住民票コード,
     * or kana and birth date) a restricted person of the register, or its destination or former
     * address is a restricted person's address.
     */
    async certificatesOfRestricted(): Promise<string[]> {
      const rows = await sql<{ certificate_id: string }>`
        select distinct tp.certificate_id
        from transfer_persons tp
        join persons r on r.restricted and ${published('r')} and (
          r.id = tp.matched_person_id
          or (tp.resident_code is not null and r.resident_code = tp.resident_code)
          or (tp.birth_iso is not null and r.birth_iso = tp.birth_iso and r.kana_key = tp.kana_key))
        union
        select c.id from transfer_certificates c
        join persons r on r.restricted and ${published('r')} and ${addressKey('r')} <> '' and ${addressKey('r')} in (
          regexp_replace(coalesce(c.record->'destination'->>'full', ''), '\\s', '', 'g'),
          regexp_replace(coalesce(c.record->'previousAddress'->>'full', ''), '\\s', '', 'g'))
      `.execute(db);
      return rows.rows.map((r) => r.certificate_id);
    },

    /** The persons of a submission's visit that are restricted (by id). */
    async restrictedAmong(ids: readonly string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await db
        .selectFrom('persons')
        .select('id')
        .where('id', 'in', [...ids])
        .where('restricted', '=', true)
        .where(published('persons'))
        .execute();
      return new Set(rows.map((r) => r.id));
    },

    /** Identifiers and texts of restricted persons and of everyone shielded with them. */
    async restrictedMarks(): Promise<RestrictedMarks> {
      const rows = await db
        .selectFrom('persons as p')
        .select(['p.atena_no', 'p.household_id', 'p.restricted', 'p.record'])
        .where(published('p'))
        .where((eb) => eb.or([eb('p.restricted', '=', true), sharesWithRestricted('p')]))
        .execute();
      const marks: RestrictedMarks = { atenaNos: [], householdIds: [], texts: [] };
      for (const r of rows) {
        if (r.household_id) marks.householdIds.push(r.household_id);
        const address = r.record.address?.full;
        if (address) marks.texts.push(address);
        if (!r.restricted) continue;
        marks.atenaNos.push(r.atena_no);
        marks.texts.push(r.record.name.full);
        if (r.record.kana?.full) marks.texts.push(r.record.kana.full);
      }
      return marks;
    },

    /** The persons a visit is about: its resident ids, its household, its certificate's persons. */
    async visitPersonIds(visitId: string, clientId: string): Promise<Set<string>> {
      const visit = await db
        .selectFrom('visits')
        .select('record')
        .where('id', '=', visitId)
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      if (!visit) return new Set();
      const subjects = visit.record.subjects;
      if ('residentIds' in subjects) return new Set(subjects.residentIds);
      if ('householdId' in subjects) {
        const rows = await db
          .selectFrom('persons')
          .select('id')
          .where('household_id', '=', subjects.householdId)
          .where(published('persons'))
          .execute();
        return new Set(rows.map((r) => r.id));
      }
      const rows = await db
        .selectFrom('transfer_persons')
        .select(['id', 'matched_person_id'])
        .where('certificate_id', '=', subjects.transferCertificateId)
        .execute();
      return new Set(rows.flatMap((r) => (r.matched_person_id ? [r.id, r.matched_person_id] : [r.id])));
    },
  };
}

export type DisclosureRepository = ReturnType<typeof createDisclosureRepository>;
