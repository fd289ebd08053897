import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type App, buildApp } from '../../src/app.ts';
import { type ApiKey, loadConfig } from '../../src/config/env.ts';

/** Test clients, one per scope set. */
export const keys = {
  counter: { id: 'counter-1', key: 'counter-key-000000000001', scopes: ['residents:read', 'visits:write'] },
  mynumber: {
    id: 'counter-mn',
    key: 'counter-key-000000000002',
    scopes: ['residents:read', 'mynumber:read'],
  },
  importer: { id: 'batch-1', key: 'importer-key-00000000001', scopes: ['imports:write'] },
  auditor: { id: 'auditor-1', key: 'auditor-key-000000000001', scopes: ['audit:read'] },
  admin: { id: 'admin-1', key: 'admin-key-00000000000001', scopes: ['admin'] },
  operator: { id: 'operator-1', key: 'operator-key-0000000001', scopes: ['console'] },
  none: { id: 'nobody', key: 'nobody-key-0000000000001', scopes: [] },
} satisfies Record<string, ApiKey>;

export function auth(k: ApiKey, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${k.key}`, ...extra };
}

/** Headers of a personal-data read with a recorded purpose. */
export function personal(k: ApiKey, extra: Record<string, string> = {}): Record<string, string> {
  return auth(k, { 'x-purpose': encodeURIComponent('窓口での本人確認'), ...extra });
}

export const onPostgres = !!process.env.DATABASE_URL;

/**
 * A hub on a fresh database: an in-memory PGlite, or, when DATABASE_URL is set, a new schema
 * in that PostgreSQL database (dropped on close).
 */
export async function testApp(
  options: { logLevel?: string; logLines?: string[]; env?: Record<string, string> } = {},
): Promise<App> {
  const schema = onPostgres ? `t_${randomBytes(6).toString('hex')}` : undefined;
  const config = loadConfig(
    {
      HUB_DATA_DIR: 'memory://',
      ...(onPostgres ? { DATABASE_URL: process.env.DATABASE_URL, DATABASE_SCHEMA: schema } : {}),
      HUB_API_KEYS: JSON.stringify(Object.values(keys)),
      LOG_LEVEL: options.logLevel ?? process.env.TEST_LOG_LEVEL ?? 'silent',
      ...options.env,
    },
    {
      stagingDir: `/tmp/madoguchi-hub-test-staging-${process.pid}`,
      outboxDir: mkdtempSync(path.join(tmpdir(), 'hub-outbox-')),
    },
  );
  const lines = options.logLines;
  const app = await buildApp(
    config,
    lines ? { logStream: { write: (line: string) => void lines.push(line) } } : {},
  );
  if (schema) {
    app.addHook('onClose', async () => {
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    });
  }
  return app;
}
