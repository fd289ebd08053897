import type { Kysely } from 'kysely';

/**
 * What crash recovery needs: who claimed a delivery (a process that is gone is recognised at
 * once), the file a delivery batch is writing (its name, SHA-256, rows and how far it got), and
 * which process holds an Idempotency-Key in flight.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('deliveries')
    .addColumn('claimed_by', 'text')
    .addColumn('file_name', 'text')
    .addColumn('file_sha256', 'text')
    .addColumn('file_rows', 'integer')
    .addColumn('file_stage', 'text')
    .execute();
  await db.schema.createIndex('deliveries_file').on('deliveries').column('file_name').execute();
  await db.schema.alterTable('idempotency_keys').addColumn('owner', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('idempotency_keys').dropColumn('owner').execute();
  await db.schema.dropIndex('deliveries_file').execute();
  await db.schema
    .alterTable('deliveries')
    .dropColumn('claimed_by')
    .dropColumn('file_name')
    .dropColumn('file_sha256')
    .dropColumn('file_rows')
    .dropColumn('file_stage')
    .execute();
}
