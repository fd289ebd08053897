import { type Kysely, sql } from 'kysely';

/** 転出証明書 as pending transfer-ins, and their persons with hub person ids. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('transfer_certificates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source_key', 'text', (c) => c.notNull().unique())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('record', 'jsonb', (c) => c.notNull())
    .addColumn('record_hash', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('import_id', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('as_of', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('transfer_certificates_number')
    .on('transfer_certificates')
    .column('number')
    .execute();
  await db.schema
    .createTable('transfer_persons')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('certificate_id', 'text', (c) =>
      c.notNull().references('transfer_certificates.id').onDelete('cascade'),
    )
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('resident_code', 'text')
    .addColumn('kana_key', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('birth_iso', 'text')
    .addColumn('record', 'jsonb', (c) => c.notNull())
    .addColumn('matched_person_id', 'text')
    .addUniqueConstraint('transfer_persons_position', ['certificate_id', 'position'])
    .execute();
  await sql`create index transfer_persons_kana on transfer_persons (kana_key text_pattern_ops)`.execute(db);
  await db.schema.createIndex('transfer_persons_birth').on('transfer_persons').column('birth_iso').execute();
  await db.schema
    .createIndex('transfer_persons_resident_code')
    .on('transfer_persons')
    .column('resident_code')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('transfer_persons').execute();
  await db.schema.dropTable('transfer_certificates').execute();
}
