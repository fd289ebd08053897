import type { Kysely } from 'kysely';
import type { Database } from './types.ts';

export interface ConsoleSession {
  id: string;
  clientId: string;
  scopes: string[];
  csrf: string;
  createdAt: Date;
  lastSeenAt: Date;
}

/** Console sessions in the database, so that several hubs behind one address share them. */
export function createConsoleSessionsRepository(db: Kysely<Database>) {
  return {
    async create(s: {
      id: string;
      clientId: string;
      scopes: string[];
      csrf: string;
      at: Date;
    }): Promise<void> {
      await db
        .insertInto('console_sessions')
        .values({
          id: s.id,
          client_id: s.clientId,
          scopes: JSON.stringify(s.scopes),
          csrf: s.csrf,
          created_at: s.at,
          last_seen_at: s.at,
        })
        .execute();
    },
    async get(id: string): Promise<ConsoleSession | undefined> {
      const row = await db.selectFrom('console_sessions').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id,
        clientId: row.client_id,
        scopes: row.scopes,
        csrf: row.csrf,
        createdAt: new Date(row.created_at),
        lastSeenAt: new Date(row.last_seen_at),
      };
    },
    async touch(id: string, at: Date): Promise<void> {
      await db.updateTable('console_sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
    },
    async remove(id: string): Promise<void> {
      await db.deleteFrom('console_sessions').where('id', '=', id).execute();
    },
    /** Drops sessions idle since before `idleBefore` or created before `createdBefore`. */
    async removeExpired(idleBefore: Date, createdBefore: Date): Promise<void> {
      await db
        .deleteFrom('console_sessions')
        .where((eb) => eb.or([eb('last_seen_at', '<', idleBefore), eb('created_at', '<', createdBefore)]))
        .execute();
    },
  };
}

export type ConsoleSessionsRepository = ReturnType<typeof createConsoleSessionsRepository>;
