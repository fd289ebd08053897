import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import type { Target } from '../../src/delivery/targets.ts';
import { auth, keys, testApp } from '../helpers/app.ts';
import { type SftpUnderTest, sftpUnderTest } from '../helpers/sftp-under-test.ts';
import { openChigasakiVisit } from '../helpers/visit.ts';

describe('delivery over SFTP to a real server on loopback', () => {
  let app: App;
  let server: SftpUnderTest;
  let visitId: string;
  let target: Target;
  const remote = () => server.localDir('juki/import');
  const csvs = () => (existsSync(remote()) ? readdirSync(remote()).filter((f) => f.endsWith('.csv')) : []);
  let n = 0;
  const submit = async () =>
    (
      await app.inject({
        method: 'POST',
        url: `/v1/visits/${visitId}/submissions`,
        headers: auth(keys.admin, { 'idempotency-key': `sftp-${++n}` }),
        payload: {
          formId: 'juminidou',
          values: { phone: `0467-00-${String(n).padStart(4, '0')}` },
          confirmedBy: 's',
        },
      })
    ).json();
  const due = (id: string) =>
    app.hub.store.db
      .updateTable('deliveries')
      .set({ next_attempt_at: new Date(0) })
      .where('submission_id', '=', id)
      .execute();
  const useServer = (s: SftpUnderTest) => {
    target.transport = {
      type: 'sftp',
      host: s.host,
      port: s.port,
      username: s.username,
      privateKey: s.privateKey,
      dir: s.remoteDir('juki/import'),
      hostKeySha256: s.hostKeySha256,
    };
  };

  beforeAll(async () => {
    server = await sftpUnderTest();
    app = await testApp();
    target = app.hub.targets.find((t) => t.id === 'juki-idou-csv')!;
    useServer(server);
    visitId = await openChigasakiVisit(app);
  });
  afterAll(async () => {
    await app.close();
    await server.stop();
  });

  it('uploads under a temporary name, renames, then writes .done with the SHA-256', async () => {
    const s = await submit();
    expect(await app.hub.dispatcher.runOnce()).toMatchObject({ delivered: 1 });
    const [csv] = csvs();
    const bytes = readFileSync(path.join(remote(), csv!));
    expect(
      bytes
        .toString('utf8')
        .split('\r\n')
        .filter((l) => l.startsWith(`${s.id},`)),
    ).toHaveLength(6);
    expect(readFileSync(path.join(remote(), csv!.replace(/\.csv$/, '.done')), 'utf8')).toBe(
      `rows=6\nsha256=${createHash('sha256').update(bytes).digest('hex')}\n`,
    );
    expect(readdirSync(remote()).some((f) => f.endsWith('.tmp'))).toBe(false);
    const view = (
      await app.inject({ method: 'GET', url: `/v1/submissions/${s.id}`, headers: auth(keys.admin) })
    ).json();
    expect(view.deliveries[0].artifact.path).toMatch(
      /^sftp:\/\/127\.0\.0\.1:\d+\/(.*\/)?juki\/import\/juki-idou-csv_/,
    );
  });

  it('retries while the server is down, then delivers once when it is back', async () => {
    await server.down();
    const s = await submit();
    expect(await app.hub.dispatcher.runOnce()).toMatchObject({ failed: 1 });
    await due(s.id);
    expect(await app.hub.dispatcher.runOnce()).toMatchObject({ failed: 1 });
    await server.up();
    await due(s.id);
    expect(await app.hub.dispatcher.runOnce()).toMatchObject({ delivered: 1 });
    const withId = csvs().filter((f) => readFileSync(path.join(remote(), f), 'utf8').includes(`${s.id},`));
    expect(withId).toHaveLength(1);
  });

  it('never shows a partial file under the final name when the link drops mid-upload', async () => {
    const before = csvs().length;
    // a batch big enough (40 submissions, 240 rows) that the cut falls inside the upload
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await submit()).id);
    server.cutAfterBytes = 24_000;
    expect(await app.hub.dispatcher.runOnce()).toMatchObject({ failed: 40 });
    expect(csvs()).toHaveLength(before);
    server.cutAfterBytes = undefined;
    for (const id of ids) await due(id);
    expect(await app.hub.dispatcher.runOnce()).toMatchObject({ delivered: 40 });
    const mine = csvs().filter((f) => readFileSync(path.join(remote(), f), 'utf8').includes(`${ids[0]},`));
    expect(mine).toHaveLength(1);
    const bytes = readFileSync(path.join(remote(), mine[0]!));
    expect(bytes.toString('utf8').trim().split('\r\n')).toHaveLength(1 + 240);
    expect(readFileSync(path.join(remote(), mine[0]!.replace(/\.csv$/, '.done')), 'utf8')).toBe(
      `rows=240\nsha256=${createHash('sha256').update(bytes).digest('hex')}\n`,
    );
  });

  it('refuses a server whose host key is not the pinned one', async () => {
    const s = await submit();
    target.transport = {
      ...(target.transport as Extract<Target['transport'], { type: 'sftp' }>),
      hostKeySha256: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    };
    expect(await app.hub.dispatcher.runOnce()).toMatchObject({ failed: 1 });
    const view = (
      await app.inject({ method: 'GET', url: `/v1/submissions/${s.id}`, headers: auth(keys.admin) })
    ).json();
    expect(view.deliveries[0].status).toBe('failed');
    useServer(server);
  });
});
