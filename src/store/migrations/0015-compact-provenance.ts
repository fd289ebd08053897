import { type Kysely, sql } from 'kysely';

/**
 * Compact provenance: the column map (canonical field → source column) is the same for every
 * row a run reads through one mapping, so it is stored once in `provenance_maps` and a person
 * keeps only its map and its line; the run (adapter, file, as-of) is `last_import_id`. The view
 * `person_records` gives back the stored form `{ source, columns }` on read. A 604-byte CSV
 * row no longer becomes a 4.9 KB database row.
 *
 * Also for the bulk path: `raw_hash` (the mapping fingerprint and the raw row), so that an
 * unchanged row is skipped before it is mapped, and `import_staging`, an unlogged table that a
 * run fills by COPY and merges into `persons` in one statement (no index: a run reads its rows
 * once, in one scan). A later migration that adds a column to `persons` recreates the view:
 * `p.*` is expanded when the view is created.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table provenance_maps (id text primary key, columns jsonb not null)`.execute(db);
  await sql`alter table persons add column provenance_map text, add column source_line integer`.execute(db);
  await sql`
    insert into provenance_maps (id, columns)
    select distinct on (md5((provenance->'columns')::text)) md5((provenance->'columns')::text), provenance->'columns'
    from persons`.execute(db);
  await sql`
    update persons set provenance_map = md5((provenance->'columns')::text),
      source_line = coalesce((provenance->'source'->>'line')::integer, 0)`.execute(db);
  await sql`alter table persons alter column provenance_map set not null, alter column source_line set not null`.execute(
    db,
  );
  await sql`alter table persons drop column provenance`.execute(db);
  await sql`alter table persons add column raw_hash text`.execute(db);
  await sql`create index persons_raw_hash on persons (raw_hash)`.execute(db);
  await sql`
    create unlogged table import_staging (
      import_id text not null,
      line integer not null,
      source_key text not null,
      person_id text,
      municipality_code text,
      atena_no text,
      household_id text,
      household_order integer,
      resident_code text,
      status text,
      kana_key text,
      name_key text,
      kana_exact text,
      name_exact text,
      address_key text,
      birth_iso text,
      restricted boolean,
      record jsonb,
      record_hash text,
      raw_hash text,
      provenance_map text
    )`.execute(db);
  await createPersonRecordsView(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop view person_records`.execute(db);
  await sql`drop table import_staging`.execute(db);
  await sql`alter table persons drop column raw_hash`.execute(db);
  await sql`alter table persons add column provenance jsonb`.execute(db);
  await sql`
    update persons p set provenance = jsonb_build_object(
      'source', jsonb_build_object('adapter', r.adapter, 'importId', p.last_import_id, 'file', r.file_name,
        'line', p.source_line,
        'asOf', to_char(r.started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
      'columns', m.columns)
    from provenance_maps m, import_runs r
    where m.id = p.provenance_map and r.id = p.last_import_id`.execute(db);
  await sql`alter table persons drop column provenance_map, drop column source_line`.execute(db);
  await sql`drop table provenance_maps`.execute(db);
}

/** The persons with their provenance in the stored form `{ source, columns }`. */
export async function createPersonRecordsView(db: Kysely<unknown>): Promise<void> {
  await sql`
    create view person_records as
    select p.*,
      jsonb_build_object(
        'source', jsonb_build_object(
          'adapter', coalesce(r.adapter, ''),
          'importId', p.last_import_id,
          'file', r.file_name,
          'line', p.source_line,
          'asOf', to_char(coalesce(r.started_at, p.updated_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
        ),
        'columns', coalesce(m.columns, '{}'::jsonb)
      ) as provenance
    from persons p
    left join provenance_maps m on m.id = p.provenance_map
    left join import_runs r on r.id = p.last_import_id`.execute(db);
}
