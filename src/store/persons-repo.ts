import { type Kysely, sql } from 'kysely';
import { kanaExactKey, kanaKey } from '../normalize/kana.ts';
import { nameExactKey, nameKey } from '../normalize/name-key.ts';
import { sharesWithRestricted } from './disclosure-repo.ts';
import { likeEscape } from './like.ts';
import type { Database, PersonRow } from './types.ts';

export interface PersonQuery {
  kana?: string;
  name?: string;
  birthDate?: string;
  householdId?: string;
  status?: string;
  /** Leave out restricted persons (支援措置, 他業務参照不可). */
  excludeRestricted?: boolean;
  /** With `householdId`: leave out whoever shares a household or address with a restricted person. */
  excludeShielded?: boolean;
  limit: number;
  offset: number;
}

export function createPersonsRepository(db: Kysely<Database>) {
  return {
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
     * 異体字 and IVS folded), birth date, household; exact spellings are ranked first.
     */
    async search(q: PersonQuery): Promise<{ items: PersonRow[]; total: number }> {
      let query = db.selectFrom('person_records as persons');
      if (q.kana) {
        const k = likeEscape(kanaKey(q.kana));
        query = query.where((eb) =>
          eb.or([eb('kana_key', 'like', `${k}%`), eb('kana_key', 'like', `%|${k}%`)]),
        );
      }
      if (q.name) query = query.where('name_key', 'like', `%${likeEscape(nameKey(q.name))}%`);
      if (q.birthDate) query = query.where('birth_iso', '=', q.birthDate);
      if (q.householdId) query = query.where('household_id', '=', q.householdId);
      if (q.status) query = query.where('status', '=', q.status);
      if (q.excludeRestricted) query = query.where('restricted', '=', false);
      if (q.householdId && q.excludeShielded)
        query = query.where((eb) => eb.not(sharesWithRestricted('persons')));
      // Exact spellings first (斉藤 before 斉󠄃藤 and 齋藤, キュウ before キユウ), then the kana order.
      const nameExact = q.name ? `%${likeEscape(nameExactKey(q.name))}%` : null;
      const kanaExact = q.kana ? likeEscape(kanaExactKey(q.kana)) : null;
      const items = await query
        .selectAll()
        .orderBy(sql`case when ${nameExact}::text is null or name_exact like ${nameExact} then 0 else 1 end`)
        .orderBy(
          sql`case when ${kanaExact}::text is null or kana_exact like ${kanaExact} || '%' or kana_exact like '%|' || ${kanaExact} || '%' then 0 else 1 end`,
        )
        .orderBy('kana_key')
        .orderBy('id')
        .limit(q.limit)
        .offset(q.offset)
        .execute();
      const { total } = await query
        .select((eb) => eb.fn.countAll<number>().as('total'))
        .executeTakeFirstOrThrow();
      return { items, total: Number(total) };
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
        .executeTakeFirstOrThrow();
      return Number(n);
    },
  };
}

export type PersonsRepository = ReturnType<typeof createPersonsRepository>;
