import { type Kysely, sql } from 'kysely';

/**
 * Every version of a 転出証明書: a certificate imported again with the same number and other
 * content becomes its next version; the earlier content is kept here, never overwritten.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('transfer_certificates')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .createTable('transfer_certificate_versions')
    .addColumn('certificate_id', 'text', (c) =>
      c.notNull().references('transfer_certificates.id').onDelete('cascade'),
    )
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('record', 'jsonb', (c) => c.notNull())
    .addColumn('record_hash', 'text', (c) => c.notNull())
    .addColumn('import_id', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('as_of', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('transfer_certificate_versions_pk', ['certificate_id', 'version'])
    .execute();
  await sql`
    insert into transfer_certificate_versions (certificate_id, version, record, record_hash, import_id, file_name, as_of)
    select c.id, 1,
      jsonb_build_object('certificate', c.record, 'persons',
        coalesce((select jsonb_agg(p.record order by p.position) from transfer_persons p where p.certificate_id = c.id), '[]'::jsonb)),
      c.record_hash, c.import_id, c.file_name, c.as_of
    from transfer_certificates c`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('transfer_certificate_versions').execute();
  await db.schema.alterTable('transfer_certificates').dropColumn('version').execute();
}
