import { type Kysely, sql } from 'kysely';

/**
 * Visits over a day: the counter day, the staff member who opened the visit, and its status
 * (open, completed, cancelled with a reason), so a front end can list today's visits and
 * resume one. And the signature image (PNG) a submission may keep.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('visits')
    .addColumn('visit_date', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('staff_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('closed_at', 'timestamptz')
    .addColumn('closed_by', 'text')
    .addColumn('close_reason', 'text')
    .execute();
  await sql`update visits set
      visit_date = to_char((created_at at time zone 'UTC') + interval '9 hours', 'YYYY-MM-DD'),
      staff_id = record->'identity'->>'verifiedBy'`.execute(db);
  await db.schema
    .createIndex('visits_client_day')
    .on('visits')
    .columns(['client_id', 'visit_date', 'created_at'])
    .execute();
  await db.schema
    .createTable('submission_signatures')
    .addColumn('submission_id', 'text', (c) =>
      c.primaryKey().references('form_submissions.id').onDelete('cascade'),
    )
    .addColumn('png', 'bytea', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('submission_signatures').execute();
  await db.schema.dropIndex('visits_client_day').execute();
  await db.schema
    .alterTable('visits')
    .dropColumn('close_reason')
    .dropColumn('closed_by')
    .dropColumn('closed_at')
    .dropColumn('status')
    .dropColumn('staff_id')
    .dropColumn('visit_date')
    .execute();
}
