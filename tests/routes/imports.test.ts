import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { auth, keys, personal, testApp } from '../helpers/app.ts';
import { sampleBytes, sampleLines } from '../helpers/files.ts';

const upload = (app: App, body: Buffer, query = 'adapter=juki-standard-csv', name = 'resident_table.csv') =>
  app.inject({
    method: 'POST',
    url: `/v1/imports?${query}`,
    headers: auth(keys.importer, {
      'content-type': 'application/octet-stream',
      'x-file-name': encodeURIComponent(name),
    }),
    body,
  });

describe('POST /v1/imports', () => {
  let app: App;
  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => app.close());

  it('imports the MADO sample: 201 with the run, 27 persons in 11 households', async () => {
    const res = await upload(app, sampleBytes(), 'adapter=juki-standard-csv', '住記_全件.csv');
    expect(res.statusCode).toBe(201);
    const run = res.json();
    expect(run).toMatchObject({
      adapter: 'juki-standard-csv',
      file: '住記_全件.csv',
      sha256: '7bf2973de94c8cb13fa786b7f49f644a7e5b8d16d73f381f517f767cec2543d8',
      bytes: sampleBytes().length,
      status: 'succeeded',
      encoding: 'utf-8',
      counts: { read: 27, inserted: 27, rejected: 0 },
    });
    const again = await app.inject({
      method: 'GET',
      url: `/v1/imports/${run.id}`,
      headers: auth(keys.importer),
    });
    expect(again.json()).toEqual(run);
    const search = await app.inject({
      method: 'GET',
      url: '/v1/residents?kana=%E3%82%B3&limit=500',
      headers: personal(keys.admin),
    });
    expect(search.json().total).toBeGreaterThan(0);
    const households = new Set<string>();
    for (const kana of [
      'ア',
      'イ',
      'ウ',
      'エ',
      'オ',
      'カ',
      'キ',
      'ク',
      'ケ',
      'コ',
      'サ',
      'シ',
      'ジ',
      'ス',
      'テ',
      'ヘ',
      'ボ',
    ]) {
      const r = await app.inject({
        method: 'GET',
        url: `/v1/residents?kana=${encodeURIComponent(kana)}&limit=500`,
        headers: personal(keys.admin),
      });
      for (const p of r.json().items) households.add(p.householdId);
    }
    expect(await app.hub.persons.count()).toBe(27);
    expect(households.size).toBe(11);
    // a named person, field by field, as the API answers after the HTTP import
    const [kihara] = (
      await app.inject({
        method: 'GET',
        url: `/v1/residents?kana=${encodeURIComponent('きはら　あきら')}`,
        headers: personal(keys.admin),
      })
    ).json().items;
    expect(kihara).toMatchObject({
      atenaNo: '16',
      householdId: '600',
      residentCode: '99900000016',
      status: 'moved-out',
      residentType: 'japanese',
      name: { full: '己原　明', family: '己原', given: '明' },
      kana: { full: 'キハラ　アキラ' },
      sex: { code: '1', label: '男' },
      birthDate: { iso: '1988-08-08', unknown: false, wareki: '昭和63年8月8日' },
      relationship: { codes: ['02'], label: '世帯主' },
      address: { postalCode: '9990007', town: '東一丁目', block: '６番地' },
      moveOut: {
        plannedOn: { iso: '2026-06-01' },
        destination: { cityCode: '999998', town: 'サンプル町三丁目' },
      },
      restrictions: { supportMeasure: false, noCrossReference: false },
    });
    expect(kihara.provenance['name.full']).toMatchObject({
      adapter: 'juki-standard-csv',
      file: '住記_全件.csv',
      line: 17,
      column: '氏名',
    });
  });

  it('answers the same bytes again with an unchanged run', async () => {
    const res = await upload(app, sampleBytes());
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'unchanged', counts: { inserted: 0, updated: 0 } });
  });

  it('answers 201 with a failed run for an unreadable file', async () => {
    const res = await upload(
      app,
      Buffer.from(`${sampleLines()[0]}\n`),
      'adapter=juki-standard-csv',
      'header.csv',
    );
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'failed', error: { code: 'HUB_ERR_NO_RECORDS' } });
  });

  it('lists rejects with line, column, field, code, message and raw row, audited', async () => {
    const lines = sampleLines();
    lines[3] = lines[3]!.replace('1951-08-22', '1951-02-30');
    const res = await upload(app, Buffer.from(lines.join('\n')), 'adapter=juki-standard-csv', 'bad.csv');
    const run = res.json();
    expect(run.counts.rejected).toBe(1);
    const noPurpose = await app.inject({
      method: 'GET',
      url: `/v1/imports/${run.id}/rejects`,
      headers: auth(keys.importer),
    });
    expect(noPurpose.statusCode).toBe(400);
    const rejects = await app.inject({
      method: 'GET',
      url: `/v1/imports/${run.id}/rejects`,
      headers: personal(keys.importer),
    });
    expect(rejects.statusCode).toBe(200);
    expect(rejects.json()).toMatchObject({
      total: 1,
      items: [{ importId: run.id, line: 4, column: 30, field: '生年月日', code: 'HUB_ERR_INVALID_DATE' }],
    });
    expect(Buffer.from(rejects.json().items[0].raw, 'base64').toString()).toBe(lines[3]);
    const audit = await app.inject({
      method: 'GET',
      url: '/v1/audit?actor=batch-1',
      headers: auth(keys.admin),
    });
    expect(audit.json().items[0]).toMatchObject({
      action: 'imports.rejects.read',
      purpose: '窓口での本人確認',
    });
  });

  it('answers 404 for an unknown adapter and 400 without one', async () => {
    const unknown = await upload(app, sampleBytes(), 'adapter=nope');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('HUB_ERR_ADAPTER_UNKNOWN');
    const missing = await upload(app, sampleBytes(), '');
    expect(missing.statusCode).toBe(400);
    expect(missing.json().code).toBe('HUB_ERR_VALIDATION');
  });

  it('answers 422 for an encoding it does not support, and 415 for a JSON body', async () => {
    const bad = await upload(app, sampleBytes(), 'adapter=juki-standard-csv&encoding=latin1');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().code).toBe('HUB_ERR_ENCODING_UNSUPPORTED');
    const json = await app.inject({
      method: 'POST',
      url: '/v1/imports?adapter=juki-standard-csv',
      headers: auth(keys.importer, { 'content-type': 'application/json' }),
      payload: { a: 1 },
    });
    expect(json.statusCode).toBe(415);
    expect(json.json().code).toBe('HUB_ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 404 for an unknown import run', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/imports/imp_nope',
      headers: auth(keys.importer),
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('HUB_ERR_NOT_FOUND');
  });

  it('lists import runs newest first', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/imports?limit=2', headers: auth(keys.importer) });
    expect(res.json().items).toHaveLength(2);
    expect(res.json().total).toBeGreaterThanOrEqual(4);
    expect(res.json().items[0].file).toBe('bad.csv');
  });

  it('lists the adapters with their manifests', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/adapters', headers: auth(keys.counter) });
    expect(res.json().items[0]).toMatchObject({
      id: 'juki-standard-csv',
      direction: 'read',
      encodings: ['utf-8', 'cp932', 'euc-jp'],
      entities: ['person'],
      mappings: ['juki-standard-csv/person'],
    });
  });
});
