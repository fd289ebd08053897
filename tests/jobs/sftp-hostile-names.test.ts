import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { auth, keys, testApp } from '../helpers/app.ts';
import { root, sampleBytes } from '../helpers/files.ts';
import { startSftpServer, type TestSftpServer } from '../helpers/sftp-server.ts';

const hostile = readFileSync(path.join(root, 'fixtures', 'hostile', 'dotdot-sftp-names.txt'), 'utf8')
  .split('\n')
  .filter(Boolean);

describe('an SFTP server that lists names with ../', () => {
  let app: App;
  let server: TestSftpServer;
  let serverRoot: string;

  beforeAll(async () => {
    serverRoot = mkdtempSync(path.join(tmpdir(), 'hub-sftp-hostile-'));
    mkdirSync(path.join(serverRoot, 'export'));
    writeFileSync(path.join(serverRoot, 'export', 'JUKI.csv'), sampleBytes());
    server = await startSftpServer(serverRoot, 0, { hostileNames: hostile });
    const dir = mkdtempSync(path.join(tmpdir(), 'hub-sftp-hostile-cfg-'));
    writeFileSync(path.join(dir, 'hub.key'), server.privateKey);
    writeFileSync(
      path.join(dir, 'hub.config.yaml'),
      `jobs:
  - name: juki-sftp
    kind: inbound
    schedule: "0 1 * * *"
    adapter: juki-standard-csv
    source: { type: sftp, host: 127.0.0.1, port: ${server.port}, username: ${server.username}, privateKeyFile: ./hub.key, dir: /export, hostKeySha256: "SHA256:${server.hostKeySha256}" }
    stableSeconds: 0
`,
    );
    app = await testApp({ env: { HUB_CONFIG: path.join(dir, 'hub.config.yaml') } });
  });
  afterAll(async () => {
    await app.close();
    await server.stop();
  });

  // ssh2-sftp-client itself drops `.` and `..` from a listing; the others reach the hub.
  const listed = hostile.filter((n) => n !== '..').length;

  it('leaves those names alone, writes nothing outside staging and still imports the plain file', async () => {
    const run = async () =>
      (await app.inject({ method: 'POST', url: '/v1/jobs/juki-sftp/run', headers: auth(keys.admin) })).json();
    expect((await run()).counts).toMatchObject({ refused: listed, waiting: 1 });
    const second = await run();
    expect(second).toMatchObject({
      status: 'succeeded',
      counts: { refused: listed, imported: 1, failed: 0 },
    });
    expect(await app.hub.persons.count()).toBe(27);
    expect(existsSync('/tmp/madoguchi-hub-hostile-sftp.csv')).toBe(false);
    expect(existsSync(path.join(serverRoot, 'export', 'archive', 'JUKI.csv'))).toBe(true);
  });
});
