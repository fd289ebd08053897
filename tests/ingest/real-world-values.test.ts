import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { addressKey } from '../../src/normalize/address-key.ts';
import type { PersonRecord } from '../../src/schemas/person.ts';
import { keys, personal, testApp } from '../helpers/app.ts';
import { bytesSource } from '../helpers/files.ts';

/**
 * fixtures/real-world/values-*.csv: one file per way real exports write a value (fictitious
 * persons), each imported through the standard CSV adapter and checked field by field.
 */
const dir = path.join(import.meta.dirname, '..', '..', 'fixtures', 'real-world');
const adapter = 'juki-standard-csv';

interface Reject {
  line: number;
  field?: string;
  code: string;
  message: string;
}

describe('real-world values (fixtures/real-world/values-*.csv)', () => {
  let app: App;
  const rejects = new Map<string, Reject[]>();
  const counts = new Map<string, Record<string, number>>();

  const person = async (atena: string, municipality = '999999'): Promise<PersonRecord> =>
    (
      await app.hub.store.db
        .selectFrom('persons')
        .select('record')
        .where('atena_no', '=', atena)
        .where('municipality_code', '=', municipality)
        .executeTakeFirstOrThrow()
    ).record;
  const row = (atena: string) =>
    app.hub.store.db
      .selectFrom('persons')
      .selectAll()
      .where('atena_no', '=', atena)
      .executeTakeFirstOrThrow();
  /** The reject of a file's data line n (line 1 is the header). */
  const rejectAt = (file: string, dataLine: number) =>
    rejects.get(file)!.find((r) => r.line === dataLine + 1);

  beforeAll(async () => {
    app = await testApp();
    for (const file of [
      'values-dates.csv',
      'values-era-overlap.csv',
      'values-postal-codes.csv',
      'values-code-labels.csv',
      'values-lost-zeros.csv',
      'values-codes.csv',
      'values-relationship-labels.csv',
      'values-variant-names.csv',
      'values-addresses.csv',
    ]) {
      const run = await app.hub.importFile(bytesSource(readFileSync(path.join(dir, file)), file), {
        adapter,
      });
      counts.set(file, run.counts as unknown as Record<string, number>);
      rejects.set(file, (await app.hub.imports.rejects(run.id, 100, 0)).items as Reject[]);
    }
  });
  afterAll(async () => app.close());

  it('values-dates.csv: reads every spelling of 1980-03-05 and says why it refuses the others', async () => {
    for (const [atena, source] of [
      ['101', '03550305'],
      ['102', '1980年3月5日'],
      ['103', '昭和55年 3月 5日'],
      ['104', 'Ｓ５５．３．５'],
      ['105', '1980-03-05 00:00:00'],
      ['106', '１９８０／０３／０５'],
    ] as const) {
      expect((await person(atena)).birthDate, atena).toEqual({
        iso: '1980-03-05',
        unknown: false,
        wareki: '昭和55年3月5日',
        source,
      });
    }
    expect((await person('112')).birthDate).toEqual({
      iso: null,
      unknown: false,
      lunisolar: true,
      source: '明治5年12月2日',
    });
    expect((await person('113')).birthDate).toEqual({
      iso: null,
      unknown: false,
      nonCalendar: true,
      source: '1981-02-29',
    });
    expect((await person('114')).birthDate).toMatchObject({ iso: '1989-01-08', wareki: '平成元年1月8日' });
    const file = 'values-dates.csv';
    expect(rejectAt(file, 7)).toMatchObject({ field: '生年月日', code: 'HUB_ERR_DATE_TIME' });
    expect(rejectAt(file, 8)).toMatchObject({ field: '生年月日', code: 'HUB_ERR_IMPLAUSIBLE_DATE' });
    expect(rejectAt(file, 8)!.message).toContain('1868');
    expect(rejectAt(file, 9)).toMatchObject({ field: '生年月日', code: 'HUB_ERR_IMPLAUSIBLE_DATE' });
    expect(rejectAt(file, 9)!.message).toContain('今日より後');
    expect(rejectAt(file, 10)).toMatchObject({ field: '生年月日', code: 'HUB_ERR_DATE_FORMAT' });
    expect(rejectAt(file, 10)!.message).toContain('YYYY-MM-DD');
    expect(rejectAt(file, 10)!.message).not.toContain('存在しません');
    expect(rejectAt(file, 11)).toMatchObject({ field: '生年月日', code: 'HUB_ERR_INVALID_DATE' });
    expect(rejectAt(file, 11)!.message).toContain('存在しません');
    expect(counts.get(file)).toMatchObject({ read: 14, inserted: 9, rejected: 5 });
  });

  it('values-era-overlap.csv: shows the new era on an overlap day and keeps the source spelling', async () => {
    expect((await person('201')).birthDate).toEqual({
      iso: '1912-07-30',
      unknown: false,
      wareki: '大正元年7月30日',
    });
    expect((await person('202')).birthDate).toEqual({
      iso: '1912-07-30',
      unknown: false,
      wareki: '大正元年7月30日',
      source: '明治45年7月30日',
    });
    expect((await person('203')).birthDate).toEqual({
      iso: '1926-12-25',
      unknown: false,
      wareki: '昭和元年12月25日',
      source: '大正15年12月25日',
    });
    expect((await person('204')).birthDate).toEqual({
      iso: '1926-12-25',
      unknown: false,
      wareki: '昭和元年12月25日',
      source: '大正15年12月25日',
    });
    expect((await person('205')).birthDate).toEqual({
      iso: '1989-01-07',
      unknown: false,
      wareki: '昭和64年1月7日',
    });
    expect((await person('206')).birthDate).toEqual({
      iso: '1989-01-08',
      unknown: false,
      wareki: '平成元年1月8日',
    });
    expect((await person('207')).birthDate).toEqual({
      iso: '1912-07-30',
      unknown: false,
      wareki: '大正元年7月30日',
      source: '明治45年7月30日',
    });
    expect(rejectAt('values-era-overlap.csv', 8)).toMatchObject({
      field: '生年月日',
      code: 'HUB_ERR_INVALID_DATE',
    });
  });

  it('values-postal-codes.csv: reads hyphens, 〒, spaces and full-width digits as 7 digits', async () => {
    for (const atena of ['301', '302', '303']) {
      const p = await person(atena);
      expect(p.address?.postalCode, atena).toBe('9990001');
      expect(p.previousAddress?.postalCode, atena).toBe('9990001');
    }
    expect(rejectAt('values-postal-codes.csv', 4)).toMatchObject({
      field: '住所_郵便番号',
      code: 'HUB_ERR_INVALID_FORMAT',
    });
    expect(rejectAt('values-postal-codes.csv', 4)!.message).toContain('7桁の郵便番号');
  });

  it('values-code-labels.csv: takes the labels the code tables declare as aliases', async () => {
    expect(await person('401')).toMatchObject({
      sex: { code: '1' },
      residentType: 'japanese',
      status: 'resident',
      insurance: { kokuho: { enrolled: true }, kouki: { enrolled: false } },
    });
    expect(await person('402')).toMatchObject({
      sex: { code: '2' },
      residentType: 'japanese',
      insurance: { kokuho: { enrolled: false }, kouki: { enrolled: true } },
    });
    expect(await person('403')).toMatchObject({ residentType: 'foreign', status: 'moved-out' });
    expect(rejectAt('values-code-labels.csv', 4)).toMatchObject({
      field: '性別',
      code: 'HUB_ERR_INVALID_CODE',
    });
    expect(rejectAt('values-code-labels.csv', 4)!.message).toContain('性別');
    expect(rejectAt('values-code-labels.csv', 5)).toMatchObject({
      field: '国保資格有無',
      code: 'HUB_ERR_INVALID_CODE',
    });
  });

  it('values-lost-zeros.csv: pads fixed-length numbers back, flags them, and refuses exponent notation', async () => {
    const first = await person('501');
    expect(first.residentCode).toBe('09900000001');
    expect(first.relationship.codes).toEqual(['02']);
    expect(first.needsReview).toEqual(['ZEROS_RESTORED:residentCode']);
    const second = await person('502', '011002');
    expect(second.municipalityCode).toBe('011002');
    expect(second.needsReview).toEqual(['ZEROS_RESTORED:municipalityCode']);
    expect(rejectAt('values-lost-zeros.csv', 3)).toMatchObject({
      field: '住民票コード',
      code: 'HUB_ERR_EXPONENT_NOTATION',
    });
    expect(rejectAt('values-lost-zeros.csv', 3)!.message).toContain('指数表記');
    expect((await person('504')).residentCode).toBe('99900000004');
    expect((await person('504')).needsReview).toBeUndefined();
    expect((await person('505')).residentCode).toBe('01234567890');
  });

  it('values-codes.csv: checks 国籍, 第30条45規定区分, 在留資格, 住民状態 and 続柄 against their tables', async () => {
    expect((await person('601')).foreign).toMatchObject({
      nationalityCode: '410',
      article30_45: '01',
      statusCode: 'T41',
    });
    expect((await person('602')).foreign).toMatchObject({
      nationalityCode: '840',
      article30_45: '01',
      statusCode: 'X14',
    });
    expect((await person('603')).foreign).toMatchObject({
      nationalityCode: 'XXA',
      article30_45: '02',
      statusCode: 'T60',
    });
    const unknown = await person('604');
    expect(unknown.foreign).toMatchObject({ nationalityCode: '998', statusCode: 'T99' });
    expect(unknown.needsReview).toEqual([
      'UNKNOWN_CODE:foreign.nationalityCode',
      'UNKNOWN_CODE:foreign.statusCode',
    ]);
    expect((await person('601')).needsReview).toBeUndefined();
    const file = 'values-codes.csv';
    expect(rejectAt(file, 5)).toMatchObject({ field: '第30条45規定区分', code: 'HUB_ERR_INVALID_CODE' });
    expect(rejectAt(file, 5)!.message).toContain('「0」はコード表 第30条45規定区分');
    expect(rejectAt(file, 6)).toMatchObject({ field: '住民状態', code: 'HUB_ERR_INVALID_CODE' });
    expect(rejectAt(file, 6)!.message).toContain('住民状態');
    expect(rejectAt(file, 7)).toMatchObject({ field: '続柄コード1', code: 'HUB_ERR_INVALID_CODE' });
    expect(rejectAt(file, 7)!.message).toContain('続柄');
    const mismatch = await person('608');
    expect(mismatch.relationship).toEqual({ codes: ['20'], label: '妻' });
    expect(mismatch.needsReview).toEqual(['RELATIONSHIP_MISMATCH']);
    expect((await person('609')).foreign).toMatchObject({
      nationalityCode: '840',
      article30_45: '06',
      statusCode: 'T41',
    });
  });

  it('values-relationship-labels.csv: reads 続柄表記 as a grammar that agrees with the codes', async () => {
    for (const [atena, codes, label] of [
      ['701', ['02'], '世帯主'],
      ['702', ['20'], '世帯主の子'],
      ['703', ['20'], '長男'],
      ['704', ['20'], '二女'],
      ['705', ['20'], '子（子の妻）'],
      ['706', ['12', '52'], '妻の母'],
      ['707', ['11', '20'], '夫の子'],
      ['708', ['96'], '縁故者'],
      ['709', ['99'], '同居人'],
      ['710', ['20', '12'], '長男の妻'],
      ['712', ['20', '12'], '子 の 妻'],
    ] as const) {
      const p = await person(atena);
      expect(p.relationship, atena).toEqual({ codes, label });
      expect(p.needsReview, atena).toBeUndefined();
    }
    expect((await person('711')).needsReview).toEqual(['RELATIONSHIP_LABEL_UNREAD']);
  });

  it('values-variant-names.csv: keeps every name as written and finds its variants, exact spellings first', async () => {
    expect((await person('802')).name.full).toBe('斉\u{E0103}藤　試男');
    expect((await person('807')).name.full).toBe('𠮷田　試');
    const search = async (query: string) => {
      const res = await app.inject({
        method: 'GET',
        url: `/v1/residents?${query}&limit=50`,
        headers: personal(keys.counter),
      });
      expect(res.statusCode).toBe(200);
      return (res.json().items as { atenaNo: string }[]).map((p) => p.atenaNo);
    };
    const saito = await search(`name=${encodeURIComponent('斉藤')}`);
    expect(saito[0]).toBe('801');
    expect([...saito].sort()).toEqual(['801', '802', '803', '804']);
    expect(await search(`name=${encodeURIComponent('高橋')}`)).toEqual(['805', '806']);
    expect(await search(`name=${encodeURIComponent('髙橋')}`)).toEqual(['806', '805']);
    expect(await search(`name=${encodeURIComponent('吉田')}`)).toEqual(['807']);
    expect((await search(`name=${encodeURIComponent('渡辺')}`)).sort()).toEqual(['808', '809']);
    expect(await search(`name=${encodeURIComponent('山崎')}`)).toEqual(['810']);
    expect(await search(`name=${encodeURIComponent('徳永')}`)).toEqual(['811']);
    expect(await search(`name=${encodeURIComponent('浜田')}`)).toEqual(['812']);
    expect(await search(`kana=${encodeURIComponent('キュウホ')}`)).toEqual(['814', '813']);
    expect(await search(`kana=${encodeURIComponent('きゆうほ')}`)).toEqual(['813', '814']);
    expect(await search(`kana=${encodeURIComponent('バンバ')}`)).toEqual(['815']);
  });

  it('values-addresses.csv: gives one address match key to every spelling of one place', async () => {
    const key = addressKey('茅ケ崎市東海岸北1-2-3');
    for (const atena of ['901', '902', '903']) expect((await row(atena)).address_key, atena).toBe(key);
    expect((await row('904')).address_key).toBe(addressKey('神奈川県茅ケ崎市茅ケ崎2-3-4'));
    expect((await row('905')).address_key).toBe('サンプル県サンプル市中央12-1-5');
    expect((await person('901')).address?.full).toBe('神奈川県茅ヶ崎市東海岸北一丁目２番３号');
  });
});
