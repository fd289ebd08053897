import { type Kysely, sql } from 'kysely';

/**
 * The disclosure policy's lookups: restricted persons by household (a partial index: they are
 * few), and a flag on rejected rows that set a restriction column.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index persons_restricted on persons (household_id) where restricted`.execute(db);
  await db.schema
    .alterTable('import_rejects')
    .addColumn('restricted', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
}
