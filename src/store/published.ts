import { type Expression, type SqlBool, sql } from 'kysely';

/**
 * True for a `persons` row (by alias) that readers may see: not a new person of a run still
 * being written (migration 0017). Every query that reads `persons` for an answer adds it;
 * `person_records` has it built in.
 */
export function published(alias: string): Expression<SqlBool> {
  const run = sql.ref(`${alias}.inserted_by_run`);
  return sql<SqlBool>`(${run} is null or ${run} not in (select import_id from unpublished_runs))`;
}
