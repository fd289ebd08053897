import { mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { auth, keys, onPostgres, testApp } from '../helpers/app.ts';
import { realWorld, root, sampleBytes } from '../helpers/files.ts';

const config = `jobs:
  - name: juki-nightly
    kind: inbound
    schedule: "0 2 * * *"
    adapter: juki-standard-csv
    source: { type: folder, dir: ./inbox }
    pattern: '\\.csv$'
    doneMarker: true
  - name: kokuho-pull
    kind: inbound
    schedule: "*/5 * * * *"
    adapter: kokuho-csv
    source: { type: folder, dir: ./kokuho }
    stableSeconds: 0
  - name: push
    kind: outbound
    schedule: "* * * * *"
`;

describe('jobs: inbound folder pulls and outbound pushes', () => {
  let app: App;
  let dir: string;
  const inbox = () => path.join(dir, 'inbox');
  const run = async (name: string) =>
    (await app.inject({ method: 'POST', url: `/v1/jobs/${name}/run`, headers: auth(keys.admin) })).json();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hub-jobs-'));
    writeFileSync(path.join(dir, 'hub.config.yaml'), config);
    mkdirSync(path.join(dir, 'inbox'));
    app = await testApp({ env: { HUB_CONFIG: path.join(dir, 'hub.config.yaml') } });
  });
  afterAll(async () => app.close());

  it('lists the jobs of HUB_CONFIG', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/jobs', headers: auth(keys.admin) });
    expect(res.json().items.map((j: { name: string }) => j.name)).toEqual([
      'juki-nightly',
      'kokuho-pull',
      'push',
    ]);
    expect(res.json().items[0]).toMatchObject({ adapter: 'juki-standard-csv', dir: inbox() });
  });

  it('takes a file only once its .done marker exists, imports it and archives both', async () => {
    writeFileSync(path.join(inbox(), 'JUKI_20261201.csv'), sampleBytes());
    expect((await run('juki-nightly')).counts).toMatchObject({ seen: 1, waiting: 1, imported: 0 });
    expect(await app.hub.persons.count()).toBe(0);
    writeFileSync(path.join(inbox(), 'JUKI_20261201.done'), 'rows=27\n');
    const r = await run('juki-nightly');
    expect(r).toMatchObject({ status: 'succeeded', trigger: 'api', counts: { imported: 1 } });
    expect(await app.hub.persons.count()).toBe(27);
    expect(readdirSync(path.join(inbox(), 'archive')).sort()).toEqual([
      'JUKI_20261201.csv',
      'JUKI_20261201.done',
    ]);
    expect(readdirSync(inbox()).filter((f) => f !== 'archive')).toEqual([]);
  });

  it('imports the same file dropped twice only once', async () => {
    writeFileSync(path.join(inbox(), 'JUKI_again.csv'), sampleBytes());
    writeFileSync(path.join(inbox(), 'JUKI_again.done'), '');
    const r = await run('juki-nightly');
    expect(r.counts).toMatchObject({ imported: 0, unchanged: 1 });
    const imports = (await app.hub.imports.list(10, 0)).items.filter(
      (i) => i.adapter === 'juki-standard-csv',
    );
    expect(imports.map((i) => i.status)).toEqual(['unchanged', 'succeeded']);
  });

  it('moves a file that fails to error/ with the reason beside it', async () => {
    writeFileSync(path.join(inbox(), 'JUKI_empty.csv'), '');
    writeFileSync(path.join(inbox(), 'JUKI_empty.done'), '');
    const r = await run('juki-nightly');
    expect(r).toMatchObject({ status: 'failed', counts: { failed: 1 } });
    const reason = readFileSync(path.join(inbox(), 'error', 'JUKI_empty.csv.reason.txt'), 'utf8');
    expect(reason).toContain('HUB_ERR_EMPTY_FILE');
  });

  it('files a file whose every row was rejected in error/, not in archive/', async () => {
    writeFileSync(path.join(inbox(), 'JUKI_excel.csv'), readFileSync(realWorld('all-rejected')));
    writeFileSync(path.join(inbox(), 'JUKI_excel.done'), '');
    const r = await run('juki-nightly');
    expect(r).toMatchObject({ status: 'failed', counts: { failed: 1, imported: 0 } });
    const reason = readFileSync(path.join(inbox(), 'error', 'JUKI_excel.csv.reason.txt'), 'utf8');
    expect(reason).toContain('HUB_ERR_ALL_REJECTED');
  });

  it('waits for a file without marker until its size and mtime stop changing', async () => {
    const kokuho = path.join(dir, 'kokuho');
    mkdirSync(kokuho, { recursive: true });
    const file = path.join(kokuho, 'kokuho.csv');
    const head = readFileSync(path.join(root, 'fixtures', 'departmental', 'kokuho.csv'));
    writeFileSync(file, head.subarray(0, 120));
    expect((await run('kokuho-pull')).counts).toMatchObject({ waiting: 1 });
    // still being written: bigger at the next pass
    writeFileSync(file, head);
    utimesSync(file, new Date(Date.now() - 10_000), new Date(Date.now() - 10_000));
    expect((await run('kokuho-pull')).counts).toMatchObject({ waiting: 1, imported: 0 });
    // unchanged since the last pass: taken
    // one of its rows names a person the register lacks: imported, counted as partial
    expect((await run('kokuho-pull')).counts).toMatchObject({ waiting: 0, imported: 1, partial: 1 });
    expect(readdirSync(path.join(kokuho, 'archive'))).toEqual(['kokuho.csv']);
  });

  it('runs the outbox from a job and keeps the run history', async () => {
    const r = await run('push');
    expect(r).toMatchObject({
      job: 'push',
      status: 'succeeded',
      counts: { delivered: 0, failed: 0, dead: 0 },
    });
    const history = await app.inject({
      method: 'GET',
      url: '/v1/jobs/runs?job=juki-nightly',
      headers: auth(keys.admin),
    });
    expect(history.json().total).toBe(5);
    expect(history.json().items[0]).toMatchObject({ status: 'failed' });
    const forbidden = await app.inject({
      method: 'POST',
      url: '/v1/jobs/push/run',
      headers: auth(keys.counter),
    });
    expect(forbidden.statusCode).toBe(403);
    const unknown = await app.inject({ method: 'POST', url: '/v1/jobs/nope/run', headers: auth(keys.admin) });
    expect(unknown.statusCode).toBe(404);
  });

  it('runs a job in one instance at a time (advisory lock on PostgreSQL; one process when embedded)', async () => {
    if (!onPostgres) {
      expect((await run('push')).status).toBe('succeeded');
      return;
    }
    const other = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await other.connect();
    await other.query("select pg_advisory_lock(hashtext('madoguchi-hub:job:push'))");
    try {
      expect(await run('push')).toMatchObject({
        status: 'skipped',
        error: expect.stringContaining('別のインスタンス'),
      });
    } finally {
      await other.query("select pg_advisory_unlock(hashtext('madoguchi-hub:job:push'))");
      await other.end();
    }
    expect((await run('push')).status).toBe('succeeded');
  });

  it('refuses a HUB_CONFIG with a schedule that is not a cron expression, naming the place', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, config.replace('"0 2 * * *"', '"every night"'));
    await expect(testApp({ env: { HUB_CONFIG: bad } })).rejects.toThrow(
      /bad\.yaml:4:\d+: schedule "every night"/,
    );
  });
});
