import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, type MigrationResultSet, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { HubError } from '../errors.ts';
import { type CopyInto, pgliteCopyInto, postgresCopyInto } from './copy-into.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { createMemoryPGlite, keepMigratedTemplate } from './memory-template.ts';
import { migrations } from './migrations/index.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './types.ts';

export interface StoreOptions {
  /** `memory://` or a folder for the embedded PGlite; ignored when `databaseUrl` is set. */
  dataDir: string;
  databaseUrl?: string;
  /** PostgreSQL schema to use (created when missing); tests give each app its own. */
  databaseSchema?: string;
  /**
   * `memory://` only: start from this process's migrated template when it has one (see
   * memory-template.ts), for a caller that migrates next. Otherwise the database starts empty.
   */
  migratedTemplate?: boolean;
}

export interface Store {
  db: Kysely<Database>;
  kind: 'pglite' | 'postgres';
  /** Bulk load in COPY text format, outside any transaction (the import's staging). */
  copyInto: CopyInto;
  /** Applies pending migrations; throws when one fails. Safe to call from several instances. */
  migrate(): Promise<MigrationResultSet>;
  /** True when the database answers and every known migration is applied. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

// int8 (count(*), bigint columns) as numbers: the hub's counts stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export async function createStore(options: StoreOptions): Promise<Store> {
  let db: Kysely<Database>;
  let kind: Store['kind'];
  let copyInto: CopyInto;
  let release = () => {};
  // An in-memory database migrated from empty becomes the template of the next ones.
  let keepTemplate: (() => Promise<void>) | undefined;
  if (options.databaseUrl) {
    kind = 'postgres';
    const schema = options.databaseSchema;
    if (schema) {
      const admin = new pg.Client({ connectionString: options.databaseUrl });
      await admin.connect();
      try {
        await admin.query(`create schema if not exists "${schema}"`);
      } finally {
        await admin.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      ...(schema ? { options: `-c search_path="${schema}"` } : {}),
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    copyInto = postgresCopyInto(pool);
  } else {
    kind = 'pglite';
    const memory = options.dataDir === 'memory://';
    if (!memory) {
      mkdirSync(options.dataDir, { recursive: true });
      release = lockDataDir(options.dataDir);
    }
    try {
      const pglite = memory
        ? await createMemoryPGlite(options.migratedTemplate === true)
        : await PGlite.create(options.dataDir);
      if (memory) keepTemplate = () => keepMigratedTemplate(pglite);
      db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
      copyInto = pgliteCopyInto(pglite, db);
    } catch (e) {
      release();
      throw e;
    }
  }

  // Kysely looks for its migration tables in every schema unless told which one: name the
  // schema in use, so that several hubs (or test runs) can share one database.
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: options.databaseSchema ?? rows[0]?.schema ?? 'public',
    // Migration numbers are handed out ahead and merged in any order: a database that already
    // has a later one still gets an earlier one that arrives after it.
    allowUnorderedMigrations: true,
  });

  return {
    db,
    kind,
    copyInto,
    async migrate() {
      const result = await migrator.migrateToLatest();
      if (result.error) {
        const failed = result.results?.find((r) => r.status === 'Error');
        throw new HubError('HUB_ERR_CONFIG', {
          message: `migration ${failed?.migrationName ?? '?'} failed: ${(result.error as Error).message}`,
        });
      }
      if (keepTemplate && result.results?.length === Object.keys(migrations).length) await keepTemplate();
      return result;
    },
    async ready() {
      try {
        await sql`select 1`.execute(db);
        const list = await migrator.getMigrations();
        return list.every((m) => m.executedAt !== undefined);
      } catch {
        return false;
      }
    },
    async close() {
      try {
        await db.destroy();
      } finally {
        release();
      }
    },
  };
}
