import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import type { ImportOptions } from '../../src/ingest/run-import.ts';
import { fileSource } from '../../src/ingest/sources.ts';
import type { PersonRecord } from '../../src/schemas/person.ts';
import type { StoredProvenance } from '../../src/store/types.ts';
import { auth, keys, testApp } from '../helpers/app.ts';
import { realWorld } from '../helpers/files.ts';

describe('the column contract: every column is read, kept, declared ignored or reported', () => {
  let app: App;
  const importFixture = async (name: string, options: Partial<ImportOptions> = {}) =>
    app.hub.importFile(await fileSource(realWorld(name)), { adapter: 'juki-standard-csv', ...options });
  const person = async (atenaNo: string) => {
    const row = await app.hub.store.db
      .selectFrom('person_records')
      .select(['record', 'provenance'])
      .where('municipality_code', '=', '999998')
      .where('atena_no', '=', atenaNo)
      .executeTakeFirstOrThrow();
    return { record: row.record as PersonRecord, provenance: row.provenance as StoredProvenance };
  };

  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => app.close());

  it("reads another system's 転入前_都道府県 and 転入前_市区郡町村名 as the 転入前住所, and 本籍_地番号 as the 本籍 block", async () => {
    const run = await importFixture('other-system-names');
    expect(run).toMatchObject({ status: 'succeeded', warnings: [], counts: { read: 3, inserted: 3 } });
    const { record, provenance } = await person('202');
    expect(record.previousAddress?.prefecture).toBe('架空県');
    expect(record.previousAddress?.city).toBe('ひかり市');
    expect(record.previousAddress?.town).toBe('本町一丁目');
    expect(record.previousAddress?.block).toBe('10番地');
    expect(record.previousAddress?.postalCode).toBe('9990101');
    expect(record.previousAddress?.full).toBe('架空県ひかり市本町一丁目10番地');
    expect(record.registeredDomicile?.block).toBe('3番地');
    expect(record.registeredDomicile?.address).toBe('サンプル県みどり市若葉町二丁目');
    // the values are mapped, not parked in extras, and provenance names the column as written
    expect(record.extras).toBeUndefined();
    expect(provenance.columns['previousAddress.prefecture']).toBe('転入前_都道府県');
    expect(provenance.columns['registeredDomicile.block']).toBe('本籍_地番号');
  });

  it('reads half-width 転出年月日(確定) and 転出先住所(確定)_… as the confirmed move-out', async () => {
    const run = await importFixture('halfwidth-parentheses');
    expect(run).toMatchObject({ status: 'succeeded', warnings: [] });
    const { record } = await person('201');
    expect(record.status).toBe('moved-out');
    expect(record.moveOut?.plannedOn?.iso).toBe('2026-05-10');
    expect(record.moveOut?.confirmedOn?.iso).toBe('2026-05-12');
    expect(record.moveOut?.destination?.postalCode).toBe('9990301');
    expect(record.moveOut?.destination?.cityCode).toBe('999995');
    expect(record.moveOut?.destination?.prefecture).toBe('架空県');
    expect(record.moveOut?.destination?.city).toBe('あおば町');
    expect(record.moveOut?.destination?.town).toBe('旭');
    expect(record.moveOut?.destination?.block).toBe('7番地');
    expect(record.moveOut?.destination?.full).toBe('架空県あおば町旭7番地');
    expect(record.extras).toBeUndefined();
  });

  it('reads 氏名＿フリガナ (a full-width underscore) as the kana', async () => {
    const run = await importFixture('fullwidth-underscore');
    expect(run).toMatchObject({ status: 'succeeded', warnings: [] });
    const { record } = await person('203');
    expect(record.kana?.full).toBe('オツカワ　ヒナ');
    expect(record.name.family).toBe('乙川');
  });

  it('takes strict and maxRejects over HTTP, and answers the run with its warnings', async () => {
    const post = (query: string, name: string) =>
      app.inject({
        method: 'POST',
        url: `/v1/imports?adapter=juki-standard-csv&${query}`,
        headers: auth(keys.importer, { 'content-type': 'application/octet-stream', 'x-file-name': name }),
        body: readFileSync(realWorld(name)),
      });
    const strict = await post('strict=true', 'unknown');
    expect(strict.statusCode).toBe(201);
    expect(strict.json()).toMatchObject({ status: 'failed', error: { code: 'HUB_ERR_UNKNOWN_COLUMN' } });
    const limited = await post('maxRejects=0', 'one-rejected');
    expect(limited.json()).toMatchObject({ status: 'failed', error: { code: 'HUB_ERR_TOO_MANY_REJECTS' } });
    const allowed = await post('maxRejects=50%25', 'one-rejected');
    expect(allowed.json()).toMatchObject({ status: 'partial', warnings: [], counts: { rejected: 1 } });
    expect((await post('maxRejects=lots', 'one-rejected')).statusCode).toBe(400);
  });

  it('fails an unknown column with strict, and otherwise names it in a warning and keeps its value', async () => {
    const strict = await importFixture('unknown', { strictColumns: true });
    expect(strict).toMatchObject({
      status: 'failed',
      error: { code: 'HUB_ERR_UNKNOWN_COLUMN', field: '備考', column: 25 },
    });
    expect(strict.error!.message).toContain('備考');

    const run = await importFixture('unknown');
    expect(run.status).toBe('succeeded');
    expect(run.warnings).toEqual([
      {
        code: 'HUB_ERR_UNKNOWN_COLUMN',
        column: 25,
        field: '備考',
        message: expect.stringContaining('「備考」'),
      },
      {
        code: 'HUB_ERR_UNKNOWN_COLUMN',
        column: 26,
        field: '緊急連絡先',
        message: expect.stringContaining('「緊急連絡先」'),
      },
    ]);
    expect((await person('201')).record.extras).toEqual({ 備考: '窓口で確認済' });
    const metrics = (await app.inject({ url: '/metrics', headers: auth(keys.admin) })).body;
    expect(metrics).toMatch(
      /hub_import_warnings_total\{adapter="juki-standard-csv",code="HUB_ERR_UNKNOWN_COLUMN"\} 2/,
    );
    expect(metrics).toMatch(/hub_imports_total\{adapter="juki-standard-csv",status="partial"\} 1/);
    const again = await importFixture('unknown');
    expect(again).toMatchObject({ status: 'unchanged', duplicateOf: run.id, warnings: run.warnings });
    // stored with the run: the API answers them too
    const res = await app.inject({ url: `/v1/imports/${run.id}`, headers: auth(keys.importer) });
    expect(res.statusCode).toBe(200);
    expect(res.json().warnings.map((w: { field: string }) => w.field)).toEqual(['備考', '緊急連絡先']);
  });

  it('fails a file without a required column, naming it, and writes nothing', async () => {
    const before = await app.hub.store.db.selectFrom('persons').select('record_hash').execute();
    const run = await importFixture('missing-required');
    expect(run).toMatchObject({
      status: 'failed',
      error: { code: 'HUB_ERR_MISSING_COLUMN', field: '続柄コード1' },
    });
    expect(run.error!.message).toContain('続柄コード1');
    expect(await app.hub.store.db.selectFrom('persons').select('record_hash').execute()).toEqual(before);
  });

  it('fails a file that has one column twice under two spellings, naming both', async () => {
    const run = await importFixture('same-column-twice');
    expect(run).toMatchObject({ status: 'failed', error: { code: 'HUB_ERR_DUPLICATE_COLUMN' } });
    expect(run.error!.message).toContain('氏名_フリガナ');
    expect(run.error!.message).toContain('氏名＿フリガナ');
  });
});
