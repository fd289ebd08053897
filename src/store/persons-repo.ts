import { type Kysely, sql } from 'kysely';
import { kanaExactKey, kanaKey } from '../normalize/kana.ts';
import { nameExactKey, nameKey } from '../normalize/name-key.ts';
import { type PersonStanding, rowVersion, sharesWithRestricted, shielded } from './disclosure-repo.ts';
import { likeEscape } from './like.ts';
import { published } from './published.ts';
import type { Database, PersonRow } from './types.ts';

export interface PersonQuery {
  kana?: string;
  name?: string;
  birthDate?: string;
  householdId?: string;
  status?: string;
  /** Leave out restricted persons (支援措置, 他業務参照不可). */
  excludeRestricted?: boolean;
  /**
   * With `householdId`: leave out whoever shares a household or address with a restricted
   * person. In any case: tell of each person found whether they do (`shielded`).
   */
  excludeShielded?: boolean;
  limit: number;
  offset: number;
}

/** Matches are counted up to this many; past it a search says "more than this" instead. */
export const SEARCH_TOTAL_CAP = 1000;

/** A person found, with what the disclosure policy needs to know (see PersonStanding). */
export type FoundPerson = PersonRow & PersonStanding;

/** A page of matches: standings only (`searchPage`), or with their rows (`search`). */
export interface SearchPage<Item> {
  items: Item[];
  /** The number of matches when `totalExact`, else SEARCH_TOTAL_CAP (there are more). */
  total: number;
  totalExact: boolean;
  /** Matches follow this page. */
  hasMore: boolean;
}

export type PersonStandingPage = SearchPage<PersonStanding>;
export type PersonPage = SearchPage<FoundPerson>;

/**
 * What a name search asks the `persons_name_grams` index for: the character pairs of its key
 * (its one character when it has only one), as `hub_name_grams` indexes them per name key.
 */
export function nameGrams(key: string): string[] {
  const chars = Array.from(key);
  if (chars.length <= 1) return chars;
  const pairs = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) pairs.add(chars[i]! + chars[i + 1]!);
  return [...pairs];
}

export function createPersonsRepository(db: Kysely<Database>, options: { totalCap?: number } = {}) {
  const totalCap = options.totalCap ?? SEARCH_TOTAL_CAP;
  const repository = {
    async get(id: string): Promise<PersonRow | undefined> {
      return db.selectFrom('person_records').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async getMany(ids: readonly string[]): Promise<PersonRow[]> {
      if (ids.length === 0) return [];
      return db
        .selectFrom('person_records')
        .selectAll()
        .where('id', 'in', [...ids])
        .execute();
    },
    /**
     * Persons by kana (prefix, any width or script, small kana and ヴ folded), name (contains,
     * 異体字 and IVS folded), birth date, household; exact spellings are ranked first. Kana and
     * name are served by the indexes of migration 0016. The page and the number of matches come
     * from one statement; matches are counted up to SEARCH_TOTAL_CAP (or `totalCap`) only (`totalExact` false
     * beyond: `total` is then that cap, a lower bound). The matches are ranked on `persons`;
     * the page answers standings only: `search` reads their rows through `person_records`, the
     * API only those of persons whose answer it has not kept (see ViewCache).
     */
    async searchPage(q: PersonQuery): Promise<PersonStandingPage> {
      let query = db.selectFrom('persons').where(published('persons'));
      if (q.kana) {
        const k = `${likeEscape(kanaKey(q.kana))}%`;
        // The reading (the key's start) or the 通称's reading (after the `|`), each its own index.
        query = query.where(
          sql<boolean>`(kana_key like ${k} or (strpos(kana_key, '|') > 0 and substr(kana_key, strpos(kana_key, '|') + 1) like ${k}))`,
        );
      }
      if (q.name) {
        const key = nameKey(q.name);
        query = query
          .where(sql<boolean>`hub_name_grams(name_key) @> ${nameGrams(key)}::text[]`)
          .where('name_key', 'like', `%${likeEscape(key)}%`);
      }
      if (q.birthDate) query = query.where('birth_iso', '=', q.birthDate);
      if (q.householdId) query = query.where('household_id', '=', q.householdId);
      if (q.status) query = query.where('status', '=', q.status);
      if (q.excludeRestricted) query = query.where('restricted', '=', false);
      if (q.householdId && q.excludeShielded)
        query = query.where((eb) => eb.not(sharesWithRestricted('persons')));
      // Exact spellings first (斉藤 before 斉󠄃藤 and 齋藤, キュウ before キユウ), then the kana order.
      const nameExact = q.name ? `%${likeEscape(nameExactKey(q.name))}%` : null;
      const kanaExact = q.kana ? likeEscape(kanaExactKey(q.kana)) : null;
      const counted = query.select(sql`1`.as('one')).limit(totalCap + 1);
      const rankName = sql<number>`case when ${nameExact}::text is null or persons.name_exact like ${nameExact} then 0 else 1 end`;
      const rankKana = sql<number>`case when ${kanaExact}::text is null or persons.kana_exact like ${kanaExact} || '%' or persons.kana_exact like '%|' || ${kanaExact} || '%' then 0 else 1 end`;
      const page = query
        .select([
          'persons.id as page_id',
          'persons.kana_key as page_kana',
          rankName.as('rank_name'),
          rankKana.as('rank_kana'),
          shielded('persons', q.excludeShielded === true).as('shielded'),
          rowVersion('persons').as('version'),
        ])
        .select((eb) =>
          eb.selectFrom(counted.as('matches')).select(eb.fn.countAll<number>().as('n')).as('matched'),
        )
        .orderBy('rank_name')
        .orderBy('rank_kana')
        .orderBy('persons.kana_key')
        .orderBy('persons.id')
        .limit(q.limit + 1)
        .offset(q.offset);
      const rows = await page.select('persons.restricted').execute();
      const hasMore = rows.length > q.limit;
      const items: PersonStanding[] = rows
        .slice(0, q.limit)
        .map((r) => ({ id: r.page_id, restricted: r.restricted, shielded: r.shielded, version: r.version }));
      let matched = rows[0]?.matched;
      // Past the last match the page is empty and carries no count.
      if (matched === undefined && q.offset > 0)
        matched = (
          await db
            .selectFrom(counted.as('matches'))
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n;
      const n = Number(matched ?? 0);
      return n > totalCap
        ? { items, total: totalCap, totalExact: false, hasMore }
        : { items, total: n, totalExact: true, hasMore };
    },
    /** `searchPage` with each person's row (`person_records`), in the page's order. */
    async search(q: PersonQuery): Promise<PersonPage> {
      const page = await repository.searchPage(q);
      const rows = await repository.getMany(page.items.map((i) => i.id));
      const byId = new Map(rows.map((r) => [r.id, r]));
      const items = page.items.flatMap((standing) => {
        const row = byId.get(standing.id);
        return row ? [{ ...row, ...standing }] : [];
      });
      return { ...page, items };
    },
    async household(householdId: string): Promise<PersonRow[]> {
      return db
        .selectFrom('person_records')
        .selectAll()
        .where('household_id', '=', householdId)
        .orderBy('household_order')
        .orderBy('id')
        .execute();
    },
    async count(): Promise<number> {
      const { n } = await db
        .selectFrom('persons')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where(published('persons'))
        .executeTakeFirstOrThrow();
      return Number(n);
    },
  };
  return repository;
}

export type PersonsRepository = ReturnType<typeof createPersonsRepository>;
