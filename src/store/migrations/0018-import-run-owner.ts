import { type Kysely, sql } from 'kysely';

/**
 * The process that runs an import (`src/runtime/owner.ts`): on PostgreSQL, where several hubs
 * share the runs, a run left `running` by a process that is certainly gone (same host, its pid
 * dead) can be marked failed and what it left behind removed, without touching another
 * instance's live run.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table import_runs add column owner text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table import_runs drop column owner`.execute(db);
}
