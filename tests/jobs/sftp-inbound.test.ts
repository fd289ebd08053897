import { appendFileSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { auth, keys, testApp } from '../helpers/app.ts';
import { sampleBytes } from '../helpers/files.ts';
import { type SftpUnderTest, sftpUnderTest } from '../helpers/sftp-under-test.ts';

describe('inbound jobs over SFTP', () => {
  let app: App;
  let server: SftpUnderTest;
  const outbox = () => server.localDir('export');
  const run = async () =>
    (await app.inject({ method: 'POST', url: '/v1/jobs/juki-sftp/run', headers: auth(keys.admin) })).json();

  beforeAll(async () => {
    server = await sftpUnderTest();
    const remote = server.remoteDir('export');
    const dir = mkdtempSync(path.join(tmpdir(), 'hub-sftp-cfg-'));
    writeFileSync(path.join(dir, 'hub.key'), server.privateKey);
    writeFileSync(
      path.join(dir, 'hub.config.yaml'),
      `jobs:
  - name: juki-sftp
    kind: inbound
    schedule: "0 1 * * *"
    adapter: juki-standard-csv
    source: { type: sftp, host: 127.0.0.1, port: ${server.port}, username: ${server.username}, privateKeyFile: ./hub.key, dir: ${remote}, hostKeySha256: "SHA256:${server.hostKeySha256}" }
    stableSeconds: 0
`,
    );
    app = await testApp({ env: { HUB_CONFIG: path.join(dir, 'hub.config.yaml') } });
  });
  afterAll(async () => {
    await app.close();
    await server.stop();
  });

  it('does not take a file that is still being written, then imports it once stable', async () => {
    const file = path.join(outbox(), 'JUKI.csv');
    const bytes = sampleBytes();
    writeFileSync(file, bytes.subarray(0, 4000));
    expect((await run()).counts).toMatchObject({ seen: 1, waiting: 1 });
    appendFileSync(file, bytes.subarray(4000));
    expect((await run()).counts).toMatchObject({ waiting: 1, imported: 0 });
    expect(await app.hub.persons.count()).toBe(0);
    const r = await run();
    expect(r).toMatchObject({ status: 'succeeded', counts: { waiting: 0, imported: 1 } });
    expect(await app.hub.persons.count()).toBe(27);
    expect(readdirSync(path.join(outbox(), 'archive'))).toEqual(['JUKI.csv']);
    expect(existsSync(file)).toBe(false);
  });

  it('imports the same file dropped twice only once', async () => {
    writeFileSync(path.join(outbox(), 'JUKI-copy.csv'), sampleBytes());
    await run();
    const r = await run();
    expect(r.counts).toMatchObject({ imported: 0, unchanged: 1 });
    expect(readdirSync(path.join(outbox(), 'archive')).sort()).toEqual(['JUKI-copy.csv', 'JUKI.csv']);
  });

  it('records a failed run when the server cannot be reached', async () => {
    await server.down();
    const r = await run();
    expect(r.status).toBe('failed');
    expect(r.error).toBeTruthy();
  });
});
