import { type Kysely, sql } from 'kysely';

/** Persons, import runs with rejects and the SHA-256 file registry, audit log, visits. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('persons')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source_key', 'text', (c) => c.notNull().unique())
    .addColumn('municipality_code', 'text', (c) => c.notNull())
    .addColumn('atena_no', 'text', (c) => c.notNull())
    .addColumn('household_id', 'text')
    .addColumn('household_order', 'integer')
    .addColumn('resident_code', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('kana_key', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('birth_iso', 'text')
    .addColumn('restricted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('record', 'jsonb', (c) => c.notNull())
    .addColumn('provenance', 'jsonb', (c) => c.notNull())
    .addColumn('record_hash', 'text', (c) => c.notNull())
    .addColumn('missing_since', 'timestamptz')
    .addColumn('last_import_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index persons_kana_key on persons (kana_key text_pattern_ops)`.execute(db);
  await db.schema
    .createIndex('persons_household')
    .on('persons')
    .columns(['household_id', 'household_order'])
    .execute();
  await db.schema.createIndex('persons_birth').on('persons').column('birth_iso').execute();
  await db.schema.createIndex('persons_resident_code').on('persons').column('resident_code').execute();
  await db.schema.createIndex('persons_municipality').on('persons').column('municipality_code').execute();

  await db.schema
    .createTable('import_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('adapter', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('encoding', 'text')
    .addColumn('encoding_detected', 'boolean')
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('duplicate_of', 'text')
    .addColumn('counts', 'jsonb', (c) => c.notNull())
    .addColumn('error', 'jsonb')
    .addColumn('client_id', 'text')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .execute();
  // The file registry: one successful import per adapter and content.
  await sql`create unique index import_runs_registry on import_runs (adapter, sha256) where status = 'succeeded'`.execute(
    db,
  );
  await db.schema.createIndex('import_runs_started').on('import_runs').column('started_at').execute();

  await db.schema
    .createTable('import_rejects')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('import_id', 'text', (c) => c.notNull().references('import_runs.id').onDelete('cascade'))
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('col', 'integer')
    .addColumn('field', 'text')
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('raw', 'bytea')
    .execute();
  await db.schema
    .createIndex('import_rejects_run')
    .on('import_rejects')
    .columns(['import_id', 'line'])
    .execute();

  await db.schema
    .createTable('import_seen')
    .addColumn('import_id', 'text', (c) => c.notNull())
    .addColumn('source_key', 'text', (c) => c.notNull())
    .addColumn('line', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_seen_pk', ['import_id', 'source_key'])
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text')
    .addColumn('visit_id', 'text')
    .addColumn('purpose', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subjects', 'jsonb', (c) => c.notNull())
    .addColumn('fields', 'jsonb', (c) => c.notNull())
    .addColumn('restricted_reason', 'text')
    .addColumn('request_id', 'text')
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
  await sql`create index audit_log_subjects on audit_log using gin (subjects)`.execute(db);

  await db.schema
    .createTable('visits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['visits', 'audit_log', 'import_seen', 'import_rejects', 'import_runs', 'persons']) {
    await db.schema.dropTable(t).execute();
  }
}
