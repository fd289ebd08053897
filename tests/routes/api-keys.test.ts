import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { hashKey, keyMatches } from '../../src/config/api-keys.ts';
import { loadConfig } from '../../src/config/env.ts';
import { createKeyring } from '../../src/plugins/keyring.ts';
import { testApp } from '../helpers/app.ts';
import { root } from '../helpers/files.ts';

const keyA = 'key-a-0000000000000000000001';
const keyB = 'key-b-0000000000000000000002';
const keyC = 'key-c-0000000000000000000003';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const silentLog = { info() {}, error() {} } as unknown as Parameters<typeof createKeyring>[0]['log'];

async function until(check: () => Promise<boolean>, ms = 5_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('API keys: hashed, reloadable, and /metrics behind metrics:read', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-keys-'));
  const file = path.join(dir, 'keys.json');
  let app: App;
  beforeAll(async () => {
    writeFileSync(
      file,
      JSON.stringify([
        { id: 'plain', key: keyA, scopes: ['residents:read'] },
        { id: 'hashed', keyHash: hashKey(keyB), scopes: ['metrics:read'] },
        { id: 'slow-hash', keyHash: hashKey(keyC, 'scrypt'), scopes: ['admin'] },
      ]),
    );
    app = await testApp({ env: { HUB_API_KEYS: `@${file}` } });
  });
  afterAll(async () => app.close());

  it('keeps only hashes in memory, and accepts a plain key, a sha256 keyHash and a scrypt keyHash', async () => {
    const config = JSON.stringify(app.hub.config);
    for (const k of [keyA, keyB, keyC]) expect(config).not.toContain(k);
    expect(app.hub.config.apiKeys.map((k) => k.keyHash.split(':')[0])).toEqual([
      'sha256',
      'sha256',
      'scrypt',
    ]);
    for (const k of [keyA, keyB, keyC]) {
      const res = await app.inject({ method: 'GET', url: '/v1/adapters', headers: bearer(k) });
      expect(res.statusCode, k).toBe(200);
    }
    const wrong = await app.inject({ method: 'GET', url: '/v1/adapters', headers: bearer(`${keyC}x`) });
    expect(wrong.statusCode).toBe(401);
  });

  it('answers /metrics only to a key with metrics:read or admin', async () => {
    expect((await app.inject('/metrics')).statusCode).toBe(401);
    const counter = await app.inject({ url: '/metrics', headers: bearer(keyA) });
    expect(counter.statusCode).toBe(403);
    expect(counter.json().detail).toContain('metrics:read');
    const metrics = await app.inject({ url: '/metrics', headers: bearer(keyB) });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('hub_http_requests_total');
    expect((await app.inject({ url: '/metrics', headers: bearer(keyC) })).statusCode).toBe(200);
  });

  it('takes a changed key file without a restart: the new key is accepted, the removed one refused', async () => {
    const keyD = 'key-d-0000000000000000000004';
    writeFileSync(file, JSON.stringify([{ id: 'new', keyHash: hashKey(keyD), scopes: ['residents:read'] }]));
    const status = async (k: string) =>
      (await app.inject({ method: 'GET', url: '/v1/adapters', headers: bearer(k) })).statusCode;
    expect(await until(async () => (await status(keyD)) === 200)).toBe(true);
    expect(await status(keyA)).toBe(401);
    expect(await status(keyC)).toBe(401);
    // a file that does not parse keeps the keys in use
    writeFileSync(file, '[{"id": "broken"');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await status(keyD)).toBe(200);
  });

  it('reloads the key file on SIGHUP', () => {
    const f = path.join(dir, 'hup.json');
    writeFileSync(f, JSON.stringify([{ id: 'a', key: keyA, scopes: [] }]));
    const keyring = createKeyring({
      keys: loadConfig({ HUB_API_KEYS: `@${f}` }).apiKeys,
      file: f,
      log: silentLog,
      intervalMs: 3_600_000,
    });
    keyring.start();
    try {
      expect(keyring.find(keyA)?.id).toBe('a');
      writeFileSync(f, JSON.stringify([{ id: 'b', key: keyB, scopes: [] }]));
      process.emit('SIGHUP', 'SIGHUP');
      expect(keyring.find(keyA)).toBeUndefined();
      expect(keyring.find(keyB)?.id).toBe('b');
    } finally {
      keyring.stop();
    }
  });

  it('refuses an entry with both key and keyHash, with neither, or with a malformed hash', () => {
    const load = (entry: object) => () => loadConfig({ HUB_API_KEYS: JSON.stringify([entry]) });
    expect(load({ id: 'x', key: keyA, keyHash: hashKey(keyA), scopes: [] })).toThrow(/key か keyHash/);
    expect(load({ id: 'x', scopes: [] })).toThrow(/key か keyHash/);
    expect(load({ id: 'x', keyHash: 'md5:abc', scopes: [] })).toThrow(/keyHash/);
    expect(load({ id: 'x', keyHash: `sha256:${'0'.repeat(63)}`, scopes: [] })).toThrow(/keyHash/);
  });

  it('compares a key against its hash, and the CLI prints the hash of a key read from stdin', async () => {
    expect(keyMatches(hashKey(keyA), keyA)).toBe(true);
    expect(keyMatches(hashKey(keyA), keyB)).toBe(false);
    expect(keyMatches(hashKey(keyA, 'scrypt'), keyA)).toBe(true);
    const child = promisify(execFile)(
      process.execPath,
      [path.join(root, 'bin', 'madoguchi-hub.js'), 'keys', 'hash'],
      {
        cwd: dir,
      },
    );
    child.child.stdin!.end(`${keyA}\n`);
    const { stdout } = await child;
    expect(stdout.trim()).toBe(hashKey(keyA));
  });
});
