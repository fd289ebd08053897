import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PGlite } from '@electric-sql/pglite';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Database } from './types.ts';

/**
 * Loads rows in PostgreSQL's COPY text format (one line per row, columns by tab, `\N` for
 * null; `copyText` writes a value) into a table, outside any transaction. Table and column
 * names come from the code, never from input.
 */
export type CopyInto = (table: string, columns: readonly string[], text: string) => Promise<void>;

/** PostgreSQL: `COPY … FROM STDIN` on a pooled connection (pg-copy-streams). */
export function postgresCopyInto(pool: pg.Pool): CopyInto {
  return async (table, columns, text) => {
    const client = await pool.connect();
    let failure: Error | undefined;
    try {
      await pipeline(Readable.from([text]), client.query(copyFrom(copyStatement(table, columns, 'stdin'))));
    } catch (e) {
      failure = e as Error;
      throw e;
    } finally {
      // A connection whose COPY failed half-way is not handed out again.
      client.release(failure);
    }
  };
}

/** PGlite: `COPY … FROM '/dev/blob'`, holding the one connection like any statement. */
export function pgliteCopyInto(pglite: PGlite, db: Kysely<Database>): CopyInto {
  return async (table, columns, text) => {
    await db.connection().execute(async () => {
      await pglite.query(copyStatement(table, columns, "'/dev/blob'"), [], { blob: new Blob([text]) });
    });
  };
}

function copyStatement(table: string, columns: readonly string[], from: string): string {
  return `copy ${table} (${columns.join(', ')}) from ${from}`;
}

const special = /[\\\t\n\r]/;
const specials = /[\\\t\n\r]/g;
const escapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One value in COPY text format. */
export function copyText(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  return special.test(value) ? value.replace(specials, (c) => escapes[c]!) : value;
}
