import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { encodeCp932 } from '../../src/parsers/encode.ts';
import { expandProvenance, type PersonRow } from '../../src/store/types.ts';
import { testApp } from '../helpers/app.ts';
import { bytesSource, sampleBytes, sampleLines } from '../helpers/files.ts';

const adapter = 'juki-standard-csv';

async function personByAtena(app: App, atenaNo: string): Promise<PersonRow> {
  return app.hub.store.db
    .selectFrom('person_records')
    .selectAll()
    .where('atena_no', '=', atenaNo)
    .executeTakeFirstOrThrow();
}

describe('importing the MADO sample (juki-standard-csv)', () => {
  let app: App;
  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => app.close());

  it('stores 27 persons in 11 households and records the detected encoding', async () => {
    const run = await app.hub.importFile(bytesSource(sampleBytes(), 'resident_table.csv'), { adapter });
    expect(run).toMatchObject({
      status: 'succeeded',
      encoding: 'utf-8',
      encodingDetected: true,
      mode: 'full',
      counts: { read: 27, inserted: 27, updated: 0, unchanged: 0, rejected: 0, skipped: 0, missing: 0 },
    });
    expect(await app.hub.persons.count()).toBe(27);
    const households = await app.hub.store.db
      .selectFrom('persons')
      .select('household_id')
      .distinct()
      .execute();
    expect(households.map((h) => h.household_id).sort()).toEqual(
      ['100', '1000', '1100', '200', '300', '400', '500', '600', '700', '800', '900'].sort(),
    );
  });

  it('maps 甲野 一郎 (世帯主 of a three-generation household) field by field', async () => {
    const row = await personByAtena(app, '1');
    const p = row.record;
    expect(p).toMatchObject({
      municipalityCode: '999999',
      atenaNo: '1',
      householdId: '100',
      residentCode: '99900000001',
      status: 'resident',
      residentType: 'japanese',
      name: { full: '甲野　一郎', family: '甲野', given: '一郎' },
      kana: { full: 'コウノ　イチロウ', family: 'コウノ', given: 'イチロウ' },
      sex: { code: '1', label: '男' },
      birthDate: { iso: '1980-03-05', unknown: false, wareki: '昭和55年3月5日' },
      relationship: { codes: ['02'], label: '世帯主' },
      householdHeadName: '甲野　一郎',
      householdOrder: 1,
      address: {
        postalCode: '9990001',
        cityCode: '999999',
        townCode: '100001',
        prefecture: 'サンプル県',
        city: 'サンプル市',
        town: '中央一丁目',
        block: '１番地',
        full: 'サンプル県サンプル市中央一丁目１番地',
      },
      addressSince: { iso: '2010-04-01', unknown: false },
      residentSince: { iso: '2010-04-01', unknown: false },
      registeredDomicile: {
        address: 'サンプル県サンプル市中央一丁目',
        town: '中央一丁目',
        block: '１番地',
        headName: '甲野　一郎',
        headFamily: '甲野',
        headGiven: '一郎',
      },
      insurance: {
        kokuho: { enrolled: true, since: { iso: '2010-04-01' } },
        kouki: { enrolled: false },
        kaigo: { enrolled: false },
        nenkin: { enrolled: true, kind: '99' },
      },
      adultWard: false,
      restrictions: { supportMeasure: false, noCrossReference: false },
    });
    expect(p.myNumber).toBeUndefined();
    expect(row.restricted).toBe(false);
    expect(expandProvenance(row.provenance)['name.full']).toMatchObject({
      adapter,
      line: 2,
      column: '氏名',
      file: 'resident_table.csv',
    });
    expect(expandProvenance(row.provenance).birthDate).toMatchObject({ line: 2, column: '生年月日' });
  });

  it('maps 己原 明, moved out, with the confirmed destination', async () => {
    const p = (await personByAtena(app, '16')).record;
    expect(p.status).toBe('moved-out');
    expect(p.relationship.codes).toEqual(['02']);
    expect(p.moveOut).toEqual({
      notifiedOn: { iso: '2026-05-20', unknown: false, wareki: '令和8年5月20日' },
      plannedOn: { iso: '2026-06-01', unknown: false, wareki: '令和8年6月1日' },
      confirmedOn: { iso: '2026-06-01', unknown: false, wareki: '令和8年6月1日' },
      destination: {
        postalCode: '9998003',
        cityCode: '999998',
        prefecture: 'ダミー県',
        city: 'ダミー市',
        town: 'サンプル町三丁目',
        block: '７番地',
        full: 'ダミー県ダミー市サンプル町三丁目７番地',
      },
    });
    expect(p.removal).toMatchObject({ reasonCode: '2', on: { iso: '2026-06-01' } });
  });

  it('maps 戊島 三郎 as deceased, 夫, with 後期高齢 and 介護', async () => {
    const p = (await personByAtena(app, '14')).record;
    expect(p).toMatchObject({
      status: 'deceased',
      relationship: { codes: ['11'], label: '夫' },
      birthDate: { iso: '1940-12-01', wareki: '昭和15年12月1日' },
      removal: { reasonCode: '3', notifiedOn: { iso: '2026-03-05' }, on: { iso: '2026-03-03' } },
      insurance: { kouki: { enrolled: true, since: { iso: '2015-12-01' } }, kaigo: { enrolled: true } },
    });
  });

  it('maps the foreign resident サンプル テスト with 在留 data and 方書', async () => {
    const p = (await personByAtena(app, '18')).record;
    expect(p).toMatchObject({
      residentType: 'foreign',
      romanName: 'SAMPLE TEST',
      birthDate: { iso: '1993-03-03', wareki: '平成5年3月3日' },
      address: { building: 'サンプルコーポ３０３号室', postalCode: '9990004' },
      foreign: {
        nationalityCode: '999',
        nationality: 'サンプル国',
        article30_45: '01',
        statusCode: '999',
        period: { years: 5, months: 0, days: 0 },
        expiresOn: { iso: '2029-03-31' },
        since: { iso: '2024-04-01' },
      },
    });
    expect(p.registeredDomicile).toBeUndefined();
  });

  it('keeps the 不詳 birth date of 癸山 太一 (同居人) as unknown', async () => {
    const row = await personByAtena(app, '26');
    expect(row.record.birthDate).toEqual({ iso: null, unknown: true, source: '1950-01-01' });
    expect(row.birth_iso).toBeNull();
    expect(row.record.relationship.codes).toEqual(['99']);
  });

  it('zero-pads 続柄 codes that the sample writes as integers', async () => {
    const codes = new Map<string, string[]>();
    for (const a of ['2', '3', '4', '24', '25'])
      codes.set(a, (await personByAtena(app, a)).record.relationship.codes);
    expect(Object.fromEntries(codes)).toEqual({
      '2': ['12'],
      '3': ['52'],
      '4': ['20'],
      '24': ['74'],
      '25': ['96'],
    });
  });

  it('reads 児童手当, 成年被後見人 and 転入前住所', async () => {
    expect((await personByAtena(app, '9')).record.insurance?.jidouTeate).toEqual({
      kind: '1',
      since: '2018-04',
    });
    expect((await personByAtena(app, '22')).record.adultWard).toBe(true);
    expect((await personByAtena(app, '8')).record.previousAddress).toMatchObject({
      cityCode: '999998',
      town: 'サンプル町二丁目',
    });
    expect((await personByAtena(app, '27')).record.moveOut?.plannedOn?.iso).toBe('2026-08-31');
  });

  it('reports the same bytes again as unchanged and writes nothing', async () => {
    const before = await app.hub.store.db
      .selectFrom('persons')
      .select(['id', 'updated_at'])
      .orderBy('id')
      .execute();
    const run = await app.hub.importFile(bytesSource(sampleBytes(), 'again.csv'), { adapter });
    expect(run.status).toBe('unchanged');
    expect(run.duplicateOf).toBeDefined();
    expect(run.counts).toMatchObject({ read: 0, inserted: 0, updated: 0 });
    const after = await app.hub.store.db
      .selectFrom('persons')
      .select(['id', 'updated_at'])
      .orderBy('id')
      .execute();
    expect(after).toEqual(before);
  });

  it('counts different bytes with the same records (CRLF, no BOM) as unchanged rows', async () => {
    const crlf = Buffer.from(`${sampleLines().join('\r\n')}\r\n`, 'utf8');
    const before = await app.hub.store.db
      .selectFrom('persons')
      .select(['id', 'updated_at'])
      .orderBy('id')
      .execute();
    const run = await app.hub.importFile(bytesSource(crlf, 'crlf.csv'), { adapter });
    expect(run.status).toBe('succeeded');
    expect(run.counts).toMatchObject({ read: 27, inserted: 0, updated: 0, unchanged: 27, rejected: 0 });
    const after = await app.hub.store.db
      .selectFrom('persons')
      .select(['id', 'updated_at'])
      .orderBy('id')
      .execute();
    expect(after).toEqual(before);
  });

  it('updates only the changed person and keeps their hub id', async () => {
    const lines = sampleLines();
    const before = await personByAtena(app, '2');
    lines[2] = lines[2]!.replace('甲野　京子', '甲野　恭子');
    const run = await app.hub.importFile(bytesSource(Buffer.from(lines.join('\n')), 'changed.csv'), {
      adapter,
    });
    expect(run.counts).toMatchObject({ read: 27, inserted: 0, updated: 1, unchanged: 26 });
    const after = await personByAtena(app, '2');
    expect(after.id).toBe(before.id);
    expect(after.record.name.full).toBe('甲野　恭子');
    expect(expandProvenance(after.provenance)['name.full']?.importId).toBe(run.id);
  });

  it('marks a person missing from a later full export, never deleting them', async () => {
    const lines = sampleLines().filter((l) => !l.startsWith('999999,27,'));
    const run = await app.hub.importFile(bytesSource(Buffer.from(lines.join('\n')), 'full-without-27.csv'), {
      adapter,
    });
    expect(run.counts).toMatchObject({ read: 26, missing: 1 });
    const p = await personByAtena(app, '27');
    expect(p.missing_since).not.toBeNull();
    expect(await app.hub.persons.count()).toBe(27);
    // back in the next export: no longer missing, same id
    const back = await app.hub.importFile(
      bytesSource(Buffer.from(`${sampleLines().join('\n')}\n\n`), 'full-again.csv'),
      { adapter },
    );
    expect(back.counts).toMatchObject({ read: 27, updated: 1, unchanged: 26, missing: 0 });
    const again = await personByAtena(app, '27');
    expect(again.id).toBe(p.id);
    expect(again.missing_since).toBeNull();
  });

  it('does not mark anyone missing after a 異動分 (delta) file', async () => {
    const lines = sampleLines().slice(0, 3);
    const run = await app.hub.importFile(
      bytesSource(Buffer.from(lines.join('\n')), 'juki_異動分_20261201.csv'),
      { adapter },
    );
    expect(run).toMatchObject({ status: 'succeeded', mode: 'delta', counts: { read: 2, missing: 0 } });
    const missing = await app.hub.store.db
      .selectFrom('persons')
      .select('id')
      .where('missing_since', 'is not', null)
      .execute();
    expect(missing).toEqual([]);
  });
});

describe('encodings of the same export', () => {
  let app: App;
  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => app.close());

  const text = `${sampleLines().join('\r\n')}\r\n`;
  for (const [name, encoding] of [
    ['CP932', 'cp932'],
    ['EUC-JP', 'euc-jp'],
  ] as const) {
    it(`detects ${name}, records it, and stores the same names`, async () => {
      const bytes = iconv.encode(text, encoding === 'cp932' ? 'cp932' : 'euc-jp');
      const run = await app.hub.importFile(bytesSource(bytes, `${encoding}.csv`, 5), { adapter });
      expect(run).toMatchObject({
        status: 'succeeded',
        encoding,
        encodingDetected: true,
        counts: { read: 27, rejected: 0 },
      });
      expect((await personByAtena(app, '13')).record.name.full).toBe('戊島　冬子');
      expect((await personByAtena(app, '1')).record.kana?.full).toBe('コウノ　イチロウ');
    });
  }

  it('takes an explicit encoding over detection and says it was not detected', async () => {
    const bytes = iconv.encode(text.replace('甲野　一郎', '甲野　壱郎'), 'cp932');
    const run = await app.hub.importFile(bytesSource(bytes, 'explicit.csv'), { adapter, encoding: 'cp932' });
    expect(run).toMatchObject({ status: 'succeeded', encoding: 'cp932', encodingDetected: false });
    expect((await personByAtena(app, '1')).record.name.full).toBe('甲野　壱郎');
  });

  it('keeps an unmapped 外字 of a CP932 export as PUA, flags the person and writes it back as F9FC', async () => {
    const withGaiji = text.replace('甲野　幸子', '甲\ue757　幸子');
    const run = await app.hub.importFile(bytesSource(encodeCp932(withGaiji), 'gaiji.csv'), { adapter });
    expect(run).toMatchObject({ status: 'succeeded', encoding: 'cp932', counts: { rejected: 0 } });
    const p = (await personByAtena(app, '3')).record;
    expect(p.name.full).toBe('甲\ue757　幸子');
    expect(p.needsReview).toEqual(['UNMAPPED_GAIJI']);
    expect(encodeCp932(p.name.full).subarray(2, 4).toString('hex')).toBe('f9fc');
  });

  it('reads a UTF-8 file without BOM and with a trailing EOF byte 0x1A', async () => {
    const bytes = Buffer.concat([
      Buffer.from(text.replace('甲野　壱郎', '甲野　一郎'), 'utf8'),
      Buffer.of(0x1a),
    ]);
    const run = await app.hub.importFile(bytesSource(bytes, 'eof.csv'), { adapter });
    expect(run).toMatchObject({ status: 'succeeded', encoding: 'utf-8', counts: { read: 27, rejected: 0 } });
  });
});
