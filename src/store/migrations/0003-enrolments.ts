import { type Kysely, sql } from 'kysely';

/** Departmental enrolments per person; rows for a 宛名番号 not yet known wait with person_id null. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('enrolments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source_key', 'text', (c) => c.notNull().unique())
    .addColumn('program', 'text', (c) => c.notNull())
    .addColumn('atena_no', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text')
    .addColumn('record', 'jsonb', (c) => c.notNull())
    .addColumn('record_hash', 'text', (c) => c.notNull())
    .addColumn('provenance', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('enrolments_person')
    .on('enrolments')
    .columns(['person_id', 'program'])
    .execute();
  await db.schema.createIndex('enrolments_atena').on('enrolments').column('atena_no').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('enrolments').execute();
}
