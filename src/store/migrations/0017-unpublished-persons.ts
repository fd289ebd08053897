import { type Kysely, sql } from 'kysely';
import { createPersonRecordsView as createUnfilteredView } from './0015-compact-provenance.ts';

/**
 * A run's new persons are written before the run ends and shown when it ends.
 *
 * A full import of a new municipality inserts every person; on PGlite, with its one connection,
 * one statement doing that for 100,000 persons keeps every reader waiting for half a minute. The
 * new persons are now inserted slice by slice before the run's transaction, each row carrying
 * `inserted_by_run`; while the run is listed in `unpublished_runs` no reader sees them. The run's
 * transaction (updates, missing persons, the run's status) also removes it from that list, so
 * readers still see the run as one unit: before it, or after it. A run that fails or whose
 * process dies has its unpublished persons deleted (`src/ingest/person-bulk.ts`).
 *
 * `person_records` shows published persons only; queries on `persons` add the same condition
 * (`published` in `src/store/published.ts`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table persons add column inserted_by_run text`.execute(db);
  await sql`create table unpublished_runs (import_id text primary key)`.execute(db);
  await sql`drop view person_records`.execute(db);
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
    left join import_runs r on r.id = p.last_import_id
    where p.inserted_by_run is null or p.inserted_by_run not in (select import_id from unpublished_runs)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop view person_records`.execute(db);
  await sql`delete from persons where inserted_by_run in (select import_id from unpublished_runs)`.execute(
    db,
  );
  await sql`drop table unpublished_runs`.execute(db);
  await sql`alter table persons drop column inserted_by_run`.execute(db);
  await createUnfilteredView(db);
}
