import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import type { ImportOptions } from '../../src/ingest/run-import.ts';
import { fileSource } from '../../src/ingest/sources.ts';
import { testApp } from '../helpers/app.ts';
import { realWorld } from '../helpers/files.ts';

const persons999998 = (app: App) =>
  app.hub.store.db
    .selectFrom('persons')
    .select(['atena_no', 'record_hash'])
    .where('municipality_code', '=', '999998')
    .orderBy('atena_no')
    .execute();

describe('an honest run status: succeeded, partial or failed by its rejects', () => {
  let app: App;
  const importFixture = async (name: string, options: Partial<ImportOptions> = {}) =>
    app.hub.importFile(await fileSource(realWorld(name)), { adapter: 'juki-standard-csv', ...options });

  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => app.close());

  it('fails a file whose every row was rejected (市区町村コード written as 9.99998E+05), keeping each reject', async () => {
    const run = await importFixture('all-rejected');
    expect(run).toMatchObject({
      status: 'failed',
      counts: { read: 8, rejected: 8, inserted: 0 },
      error: { code: 'HUB_ERR_ALL_REJECTED' },
    });
    expect(run.error!.message).toContain('8 行');
    const rejects = (await app.hub.imports.rejects(run.id, 20, 0)).items;
    expect(rejects).toHaveLength(8);
    expect(rejects.every((r) => r.field === '市区町村コード' && r.column === 1)).toBe(true);
    expect(await persons999998(app)).toEqual([]);
  });

  it('fails and writes nothing when the rejects are over the limit of the run', async () => {
    const byRows = await importFixture('one-rejected', { maxRejects: { rows: 0 } });
    expect(byRows).toMatchObject({ status: 'failed', error: { code: 'HUB_ERR_TOO_MANY_REJECTS' } });
    expect(byRows.error!.message).toContain('0 行');
    const byShare = await importFixture('one-rejected', { maxRejects: { percent: 30 } });
    expect(byShare).toMatchObject({ status: 'failed', counts: { read: 3, rejected: 1, inserted: 0 } });
    expect(byShare.error!.message).toContain('30%');
    expect(await persons999998(app)).toEqual([]);
  });

  it('is partial when some rows were rejected and the rest imported', async () => {
    const run = await importFixture('one-rejected', { maxRejects: { percent: 50 } });
    expect(run).toMatchObject({ status: 'partial', counts: { read: 3, inserted: 2, rejected: 1 } });
    const [reject] = (await app.hub.imports.rejects(run.id, 10, 0)).items;
    expect(reject).toMatchObject({ line: 4, field: '生年月日', code: 'HUB_ERR_INVALID_DATE' });
    expect((await persons999998(app)).map((p) => p.atena_no)).toEqual(['201', '202']);
  });

  it('is succeeded without rejects', async () => {
    const run = await importFixture('state-a');
    expect(run).toMatchObject({ status: 'succeeded', counts: { read: 3, rejected: 0 } });
  });
});

describe('the reject limit and the column strictness of a source in HUB_CONFIG', () => {
  let app: App;
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hub-sources-'));
    const config = path.join(dir, 'hub.config.yaml');
    writeFileSync(
      config,
      'sources:\n  juki-standard-csv: { maxRejects: "10%", strictColumns: true }\n  kokuho-csv: { maxRejects: 5 }\n',
    );
    app = await testApp({ env: { HUB_CONFIG: config } });
  });
  afterAll(async () => app.close());

  it('applies them to every import of that adapter, and an explicit option wins', async () => {
    const file = async (name: string) => fileSource(realWorld(name));
    const limited = await app.hub.importFile(await file('one-rejected'), { adapter: 'juki-standard-csv' });
    expect(limited).toMatchObject({ status: 'failed', error: { code: 'HUB_ERR_TOO_MANY_REJECTS' } });
    const strict = await app.hub.importFile(await file('unknown'), { adapter: 'juki-standard-csv' });
    expect(strict).toMatchObject({
      status: 'failed',
      error: { code: 'HUB_ERR_UNKNOWN_COLUMN', field: '備考' },
    });
    const lenient = await app.hub.importFile(await file('unknown'), {
      adapter: 'juki-standard-csv',
      strictColumns: false,
    });
    expect(lenient).toMatchObject({
      status: 'succeeded',
      warnings: [{ field: '備考' }, { field: '緊急連絡先' }],
    });
  });

  it('refuses a source that names no read adapter, or a limit that is not N or P%', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hub-sources-'));
    const bad = (name: string, text: string) => {
      writeFileSync(path.join(dir, name), text);
      return testApp({ env: { HUB_CONFIG: path.join(dir, name) } });
    };
    await expect(bad('typo.yaml', 'sources:\n  juki-standard: { strictColumns: true }\n')).rejects.toThrow(
      /juki-standard/,
    );
    await expect(bad('limit.yaml', 'sources:\n  kokuho-csv: { maxRejects: "150%" }\n')).rejects.toThrow(
      /limit\.yaml:2:\d+: maxRejects "150%"/,
    );
  });
});
