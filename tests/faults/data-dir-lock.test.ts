import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { HubError } from '../../src/errors.ts';
import { createStore } from '../../src/store/db.ts';
import { keys } from '../helpers/app.ts';
import { type Child, startPaused } from '../helpers/crash.ts';
import { root, samplePath } from '../helpers/files.ts';

const run = promisify(execFile);
const bin = path.join(root, 'bin', 'madoguchi-hub.js');

// The embedded folder is what is locked: these tests use PGlite in both passes of .ci/run.
// They start real processes, which is slow on a loaded machine.
describe('the embedded data folder is locked by the process that opens it', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-lock-'));
  const dataDir = path.join(dir, 'data');
  const env = {
    HUB_DATA_DIR: dataDir,
    HUB_OUTBOX_DIR: path.join(dir, 'outbox'),
    HUB_API_KEYS: JSON.stringify(Object.values(keys)),
    LOG_LEVEL: 'silent',
    DATABASE_URL: '',
  };
  let holder: Child | undefined;
  afterAll(async () => holder?.kill());

  const cliImport = async () => {
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        [bin, 'import', '--adapter', 'juki-standard-csv', '--json', samplePath],
        { env: { ...process.env, ...env }, cwd: dir },
      );
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };

  it('refuses a second process at once, saying which process holds it and what to do', async () => {
    holder = await startPaused(env, 'hold', 'hold');
    const pid = String(holder.process.pid);
    const started = Date.now();
    const error = await createStore({ dataDir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).code).toBe('HUB_ERR_DATA_DIR_LOCKED');
    expect((error as HubError).message).toContain(`pid ${pid}`);
    expect((error as HubError).message).toContain(`kill ${pid}`);
    const cli = await cliImport();
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('HUB_ERR_DATA_DIR_LOCKED');
    expect(cli.stderr).toContain('使用中');
    expect(cli.stdout).toBe('');
  });

  it('takes over the lock of a process killed with kill -9; an import while serve runs is handed to the server and kept', async () => {
    await holder!.kill();
    holder = undefined;
    expect(existsSync(path.join(dataDir, 'hub.lock'))).toBe(true);
    const server = spawn(process.execPath, [bin, 'serve'], {
      env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1' },
      cwd: dir,
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    try {
      const announced = path.join(dataDir, 'hub.server.json');
      while (!existsSync(announced)) {
        expect(server.exitCode).toBeNull();
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(statSync(announced).mode & 0o777).toBe(0o600);
      const cli = await cliImport();
      expect(cli.code, cli.stderr).toBe(0);
      const imported = JSON.parse(cli.stdout);
      expect(imported).toMatchObject({
        adapter: 'juki-standard-csv',
        file: samplePath,
        sha256: '7bf2973de94c8cb13fa786b7f49f644a7e5b8d16d73f381f517f767cec2543d8',
        status: 'succeeded',
        counts: { read: 27, inserted: 27, rejected: 0 },
        rejects: [],
      });
      server.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(path.join(dataDir, 'hub.lock'))).toBe(false);
      expect(existsSync(announced)).toBe(false);
      const store = await createStore({ dataDir });
      try {
        const runs = await store.db.selectFrom('import_runs').select(['id', 'status']).execute();
        expect(runs).toEqual([{ id: imported.id, status: 'succeeded' }]);
        const persons = await store.db.selectFrom('persons').select('id').execute();
        expect(persons).toHaveLength(27);
      } finally {
        await store.close();
      }
    } finally {
      if (server.exitCode === null) server.kill('SIGKILL');
    }
  });
});
