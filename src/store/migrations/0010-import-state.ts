import { type Kysely, sql } from 'kysely';

/**
 * The file registry by state, not history: a run records the sources it wrote (e.g.
 * `person/<市区町村コード>`) and the mapping it read with, so the same bytes are `unchanged` only
 * while they are the latest state of those sources. Runs also keep their warnings.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // The same bytes may be applied again (A → B → A), so the registry can no longer be unique.
  await sql`drop index if exists import_runs_registry`.execute(db);
  await db.schema
    .createIndex('import_runs_content')
    .on('import_runs')
    .columns(['adapter', 'sha256'])
    .execute();
  await db.schema
    .alterTable('import_runs')
    .addColumn('warnings', 'jsonb')
    .addColumn('mapping_fingerprint', 'text')
    .execute();
  await db.schema
    .createTable('import_run_sources')
    .addColumn('import_id', 'text', (c) => c.notNull().references('import_runs.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_run_sources_pk', ['import_id', 'source'])
    .execute();
  await db.schema
    .createIndex('import_run_sources_source')
    .on('import_run_sources')
    .column('source')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('import_run_sources').execute();
  await db.schema
    .alterTable('import_runs')
    .dropColumn('warnings')
    .dropColumn('mapping_fingerprint')
    .execute();
  await db.schema.dropIndex('import_runs_content').execute();
  await sql`create unique index import_runs_registry on import_runs (adapter, sha256) where status = 'succeeded'`.execute(
    db,
  );
}
