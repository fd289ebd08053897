import { type Kysely, sql } from 'kysely';

/**
 * Person search through indexes that serve every variant key (src/store/persons-repo.ts):
 *
 * - kana (prefix): `kana_key` holds the folded reading, then `|` and the 通称's reading when
 *   there is one. The reading is served by `persons_kana_key` (a prefix of the whole key); the
 *   通称's reading by a partial index on what follows the `|`, for the few persons who have one.
 * - name (part of the name, 通称 or ローマ字): a GIN index over the single characters and the
 *   character pairs of each `|`-separated name key (`hub_name_grams`); a search asks for the
 *   pairs of its text (its character when it has only one) and checks the match on the rows found.
 *
 * Both are computed by the database from the columns the import already writes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create index persons_kana_alias on persons
      (substr(kana_key, strpos(kana_key, '|') + 1) text_pattern_ops)
      where strpos(kana_key, '|') > 0`.execute(db);
  await sql`
    create function hub_name_grams(keys text) returns text[]
      language sql immutable strict parallel safe
      as $$
        select coalesce(array_agg(distinct substr(k, i, n)), '{}'::text[])
          from unnest(string_to_array(keys, '|')) as k,
               generate_series(1, char_length(k)) as i,
               generate_series(1, 2) as n
         where i + n - 1 <= char_length(k)
      $$`.execute(db);
  await sql`create index persons_name_grams on persons using gin (hub_name_grams(name_key))`.execute(db);
  await sql`analyze persons`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists persons_name_grams`.execute(db);
  await sql`drop function if exists hub_name_grams(text)`.execute(db);
  await sql`drop index if exists persons_kana_alias`.execute(db);
}
