import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore } from '../src/store/db.ts';
import { onPostgres } from './helpers/app.ts';
import { cliWorkspace } from './helpers/cli.ts';
import { realWorld, sampleLines, samplePath } from './helpers/files.ts';

const { work, schema, env, cli, dropSchema } = cliWorkspace('hub-cli-');

describe('madoguchi-hub CLI', () => {
  afterAll(dropSchema);

  it('imports the MADO sample with --json: 27 inserted, then unchanged', async () => {
    const first = await cli('import', '--adapter', 'juki-standard-csv', '--json', samplePath);
    expect(first.code, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout);
    expect(result).toMatchObject({
      adapter: 'juki-standard-csv',
      file: samplePath,
      sha256: '7bf2973de94c8cb13fa786b7f49f644a7e5b8d16d73f381f517f767cec2543d8',
      status: 'succeeded',
      counts: { read: 27, inserted: 27, updated: 0, unchanged: 0, rejected: 0 },
      rejects: [],
    });
    // the stored records, field by field, read back from the database the CLI wrote
    const store = await createStore({
      dataDir: env.HUB_DATA_DIR,
      ...(onPostgres ? { databaseUrl: process.env.DATABASE_URL!, databaseSchema: schema } : {}),
    });
    const rows = await store.db
      .selectFrom('persons')
      .selectAll()
      .where('atena_no', 'in', ['18', '26'])
      .orderBy('atena_no')
      .execute();
    await store.close();
    expect(rows.map((r) => r.record)).toMatchObject([
      {
        name: { full: 'サンプル　テスト' },
        residentType: 'foreign',
        romanName: 'SAMPLE TEST',
        foreign: { article30_45: '01', expiresOn: { iso: '2029-03-31' } },
      },
      {
        name: { full: '癸山　太一' },
        birthDate: { iso: null, unknown: true },
        relationship: { codes: ['99'], label: '同居人' },
      },
    ]);
    const second = await cli('import', '--adapter', 'juki-standard-csv', '--json', samplePath);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ status: 'unchanged' });
  });

  it('prints one JSON object per file with rejects, exit 1 when a file failed', async () => {
    const lines = sampleLines();
    const bad = path.join(work, 'bad.csv');
    writeFileSync(
      bad,
      [lines[0], lines[1]!.replace('1980-03-05', '1980-02-30'), ...lines.slice(2)].join('\n'),
    );
    const empty = path.join(work, 'empty.csv');
    writeFileSync(empty, '');
    const res = await cli('import', '--adapter', 'juki-standard-csv', '--json', bad, empty);
    expect(res.code).toBe(1);
    const [a, b] = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(a).toMatchObject({
      status: 'partial',
      counts: { rejected: 1 },
      rejects: [{ line: 2, column: 30, field: '生年月日', code: 'HUB_ERR_INVALID_DATE' }],
    });
    expect(b).toMatchObject({ status: 'failed', error: { code: 'HUB_ERR_EMPTY_FILE' } });
  });

  it('exits 3 for a partial import and 1 when every row was rejected; --json carries the warnings', async () => {
    const partial = await cli(
      'import',
      '--adapter',
      'juki-standard-csv',
      '--json',
      realWorld('one-rejected'),
      realWorld('unknown'),
    );
    expect(partial.code, partial.stderr).toBe(3);
    const [a, b] = partial.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(a).toMatchObject({ status: 'partial', counts: { inserted: 2, rejected: 1 }, warnings: [] });
    expect(b).toMatchObject({
      status: 'succeeded',
      warnings: [
        { code: 'HUB_ERR_UNKNOWN_COLUMN', column: 25, field: '備考' },
        { code: 'HUB_ERR_UNKNOWN_COLUMN', column: 26, field: '緊急連絡先' },
      ],
    });
    const failed = await cli('import', '--adapter', 'juki-standard-csv', realWorld('all-rejected'));
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('HUB_ERR_ALL_REJECTED');
    expect(
      (await cli('import', '--adapter', 'juki-standard-csv', '--max-rejects', 'many', samplePath)).code,
    ).toBe(2);
  });

  it('exits 2 on bad usage', async () => {
    expect((await cli('import', samplePath)).code).toBe(2);
    expect((await cli('import', '--adapter', 'nope', samplePath)).code).toBe(2);
    expect((await cli('import', '--adapter', 'juki-standard-csv', path.join(work, 'missing.csv'))).code).toBe(
      2,
    );
    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('不明なコマンド');
  });

  it('lists and runs the jobs of HUB_CONFIG', async () => {
    const inbox = path.join(work, 'inbox');
    writeFileSync(
      path.join(work, 'hub.config.yaml'),
      `jobs:\n  - { name: pull, kind: inbound, schedule: "0 3 * * *", adapter: juki-standard-csv, source: { type: folder, dir: ./inbox }, doneMarker: true }\n`,
    );
    const list = await cli('jobs', 'list');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('pull\tinbound\t0 3 * * *');
    const run = await cli('jobs', 'run', 'pull');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      job: 'pull',
      trigger: 'cli',
      status: 'succeeded',
      counts: { seen: 0 },
    });
    expect(existsSync(inbox)).toBe(true);
    expect((await cli('jobs', 'run', 'nope')).code).toBe(2);
  });

  it('validates the shipped mappings', async () => {
    const res = await cli('validate');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^ok: \d+ files/);
  });
});
