import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { onPostgres } from './app.ts';
import { root } from './files.ts';

const run = promisify(execFile);

/**
 * A folder and database of its own for tests that run the real `madoguchi-hub` command as a
 * child process: its environment, a `cli(...args)` that resolves to the exit code and output,
 * and `dropSchema()` for afterAll on PostgreSQL.
 */
export function cliWorkspace(prefix: string) {
  const work = mkdtempSync(path.join(tmpdir(), prefix));
  const schema = `cli_${randomBytes(4).toString('hex')}`;
  const env = {
    ...process.env,
    HUB_DATA_DIR: path.join(work, 'data'),
    ...(onPostgres ? { DATABASE_SCHEMA: schema } : {}),
    LOG_LEVEL: 'warn',
  };
  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        [path.join(root, 'bin', 'madoguchi-hub.js'), ...args],
        { env, cwd: work },
      );
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  }
  async function dropSchema(): Promise<void> {
    if (!onPostgres) return;
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
  return { work, schema, env, cli, dropSchema };
}
