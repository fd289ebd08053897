import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { type App, buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/env.ts';
import { keys, onPostgres } from './app.ts';
import { root } from './files.ts';

/**
 * The environment of a hub that several processes open one after another: an embedded data
 * folder, or (with DATABASE_URL) a PostgreSQL schema, and its own outbox.
 */
export function sharedHub(extra: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-crash-'));
  const schema = `crash_${randomBytes(5).toString('hex')}`;
  const env: Record<string, string> = {
    HUB_DATA_DIR: path.join(dir, 'data'),
    HUB_OUTBOX_DIR: path.join(dir, 'outbox'),
    HUB_API_KEYS: JSON.stringify(Object.values(keys)),
    LOG_LEVEL: 'silent',
    ...(onPostgres ? { DATABASE_URL: process.env.DATABASE_URL!, DATABASE_SCHEMA: schema } : {}),
    ...extra,
  };
  return {
    dir,
    env,
    /** Builds the hub in this process. */
    open: (): Promise<App> => buildApp(loadConfig(env)),
    async drop() {
      if (!onPostgres) return;
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    },
  };
}

export interface Child {
  process: ChildProcess;
  stderr(): string;
  /** SIGKILL, and resolves once the process is gone. */
  kill(): Promise<void>;
}

// The child runs in a folder of its own (nothing may land in its working directory), so tsx is
// named by its path.
const tsxLoader = pathToFileURL(path.join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/**
 * Starts `tests/helpers/crash-child.ts <action> …args` with `HUB_TEST_PAUSE_AT=point` and
 * resolves once it is paused there (it wrote its marker file). Rejects when it ends first.
 */
export async function startPaused(
  env: Record<string, string>,
  point: string,
  action: string,
  ...args: string[]
): Promise<Child> {
  const marker = path.join(mkdtempSync(path.join(tmpdir(), 'hub-pause-')), 'paused');
  const child = spawn(
    process.execPath,
    ['--import', tsxLoader, path.join(root, 'tests', 'helpers', 'crash-child.ts'), action, ...args],
    {
      cwd: mkdtempSync(path.join(tmpdir(), 'hub-cwd-')),
      env: { ...process.env, ...env, HUB_TEST_PAUSE_AT: point, HUB_TEST_PAUSE_MARKER: marker },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  while (!existsSync(marker)) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`child ended before ${point}: ${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`child never reached ${point}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    process: child,
    stderr: () => stderr,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
