import type { Kysely } from 'kysely';

/** A counter visit: life event, identity check, consent, subjects and the reference date. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('visits')
    .addColumn('life_event', 'text', (c) => c.notNull().defaultTo('tennyu'))
    .addColumn('reference_date', 'text', (c) => c.notNull().defaultTo('1970-01-01'))
    .addColumn('record', 'jsonb', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema
    .createTable('form_submissions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('visit_id', 'text', (c) => c.notNull().references('visits.id').onDelete('cascade'))
    .addColumn('form_id', 'text', (c) => c.notNull())
    .addColumn('record', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('form_submissions_visit')
    .on('form_submissions')
    .columns(['visit_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('form_submissions').execute();
  await db.schema
    .alterTable('visits')
    .dropColumn('record')
    .dropColumn('reference_date')
    .dropColumn('life_event')
    .execute();
}
