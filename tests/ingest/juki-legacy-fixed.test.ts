import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { encodeCp932 } from '../../src/parsers/encode.ts';
import type { PersonRow } from '../../src/store/types.ts';
import { testApp } from '../helpers/app.ts';
import { bytesSource, root } from '../helpers/files.ts';

const adapter = 'juki-legacy-fixed';
const fileName = 'JUKI_999997_20261201_01.DAT';
const fixture = readFileSync(path.join(root, 'fixtures', 'juki-legacy-fixed', fileName));
const records = () => {
  const parts: Buffer[] = [];
  for (let i = 0; i < fixture.length; i += 402) parts.push(fixture.subarray(i, i + 400));
  return parts;
};
const join = (recs: Buffer[]) => Buffer.concat(recs.flatMap((r) => [r, Buffer.from('\r\n')]));

describe('importing a legacy fixed-width CP932 file (juki-legacy-fixed)', () => {
  let app: App;
  const person = (atena: string): Promise<PersonRow> =>
    app.hub.store.db
      .selectFrom('person_records')
      .selectAll()
      .where('atena_no', '=', atena)
      .executeTakeFirstOrThrow();
  const stored = () =>
    app.hub.store.db
      .selectFrom('persons')
      .select(['id', 'record_hash', 'updated_at'])
      .orderBy('id')
      .execute();

  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => app.close());

  it('reads header, 10 data records and the trailer (fed 5 bytes at a time)', async () => {
    const run = await app.hub.importFile(bytesSource(fixture, fileName, 5), { adapter });
    expect(run).toMatchObject({
      status: 'succeeded',
      encoding: 'cp932',
      encodingDetected: false,
      mode: 'full',
      counts: { read: 10, inserted: 10, rejected: 0 },
    });
  });

  it('maps F040 through the 外字 table and keeps the trail', async () => {
    const p = (await person('1015')).record;
    expect(p).toMatchObject({
      municipalityCode: '999997',
      householdId: '11',
      status: 'resident',
      name: { full: '髙橋　一郎', family: '髙橋', given: '一郎' },
      kana: { full: 'タカハシ　イチロウ', family: 'タカハシ', given: 'イチロウ' },
      birthDate: { iso: '1980-04-01', unknown: false, wareki: '昭和55年4月1日' },
      relationship: { codes: ['02'], label: '世帯主' },
      address: { cityCode: '999997', town: '茅ヶ崎一丁目', block: '１番１号' },
    });
    expect(p.gaiji).toContainEqual(
      expect.objectContaining({ field: 'name.full', sjis: 'F040', unicode: '髙', mj: 'MJ028902' }),
    );
    expect(p.needsReview).toBeUndefined();
  });

  it('maps F941 to 𠮷 (outside the BMP), trims half-width padding, reads 平成元年1月8日', async () => {
    const p = (await person('1023')).record;
    expect(p.name).toEqual({ full: '\u{20BB7}田　花子', family: '\u{20BB7}田', given: '花子' });
    expect(p.kana?.full).toBe('ヨシダ　ハナコ');
    expect(p.birthDate).toMatchObject({ iso: '1989-01-08', wareki: '平成元年1月8日' });
    expect(p.relationship).toEqual({ codes: ['12'], label: '妻' });
  });

  it('keeps an unmapped F9FC as its PUA code point and flags the person', async () => {
    const p = (await person('1031')).record;
    expect(p.name.full).toBe('\ue757野　次郎');
    expect(p.needsReview).toEqual(['UNMAPPED_GAIJI']);
    expect(p.gaiji).toContainEqual({ field: 'name.full', sjis: 'F9FC' });
    expect(p.kana?.full).toBe('ゴウノ　ジロウ');
    expect(p.birthDate).toMatchObject({ iso: '2019-05-01', wareki: '令和元年5月1日' });
  });

  it('keeps the IVS of 葛󠄀, shows 明治45年7月30日 in the new era and keeps the spelling of the source', async () => {
    const p = (await person('1112')).record;
    expect(p.name.full).toBe('葛\u{E0100}西　ウメ');
    expect(p.status).toBe('deceased');
    expect(p.birthDate).toMatchObject({ iso: '1912-07-30', wareki: '大正元年7月30日', source: '1450730' });
    expect(p.relationship.codes).toEqual(['51']);
  });

  it('reads legacy 住民状態 3, 2 and 9 and both overlap spellings', async () => {
    const yamada = (await person('1058')).record;
    expect(yamada).toMatchObject({
      status: 'moved-out',
      birthDate: { iso: '1912-07-30', wareki: '大正元年7月30日' },
    });
    const kawaguchi = (await person('1066')).record;
    expect(kawaguchi).toMatchObject({
      status: 'non-resident',
      birthDate: { iso: '1926-12-25', wareki: '昭和元年12月25日', source: '2151225' },
      relationship: { codes: ['20', '12'], label: '子の妻' },
    });
    const mori = (await person('1074')).record;
    expect(mori).toMatchObject({
      birthDate: { iso: '1926-12-25', wareki: '昭和元年12月25日' },
      relationship: { codes: ['20', '20'], label: '子の子' },
    });
    expect((await person('1104')).record.status).toBe('removed');
  });

  it('keeps the 不詳 birth date of 林 不二 unknown with its label', async () => {
    const row = await person('1082');
    expect(row.record.birthDate).toEqual({
      iso: null,
      unknown: true,
      label: '昭和45年月日不詳',
      source: '3450000',
    });
    expect(row.record.sex.code).toBe('0');
    expect(row.record.relationship).toEqual({ codes: ['99'], label: '同居人' });
  });

  it('carries 支援措置 and 仮支援措置 into restrictions', async () => {
    const mamoru = await person('1090');
    expect(mamoru.restricted).toBe(true);
    expect(mamoru.record.restrictions).toEqual({
      supportMeasure: true,
      supportMeasureCode: '1',
      noCrossReference: false,
    });
    expect(mamoru.record.birthDate).toMatchObject({ iso: '1989-01-07', wareki: '昭和64年1月7日' });
    const haru = await person('1104');
    expect(haru.restricted).toBe(true);
    expect(haru.record.birthDate).toMatchObject({ iso: '2019-04-30', wareki: '平成31年4月30日' });
  });

  it('writes the same names back byte-identical, 外字 included', async () => {
    const table = app.hub.mappings.gaiji('999997')!;
    const recs = records().slice(1, -1);
    for (const [i, atena] of ['1015', '1023', '1031', '1112'].entries()) {
      const original = recs[i]!.subarray(44, 84);
      const written = encodeCp932((await person(atena)).record.name.full, table.reverse);
      expect(written.toString('hex'), atena).toBe(original.subarray(0, written.length).toString('hex'));
      const rest = original.subarray(written.length);
      expect(
        [...rest].every((b, j) => b === 0x20 || (b === 0x81 && j % 2 === 0) || (b === 0x40 && j % 2 === 1)),
        atena,
      ).toBe(true);
    }
  });

  it('fails a copy without its trailer and leaves the stored data as it was', async () => {
    const before = await stored();
    const recs = records();
    // the cut copy would change a name if it were applied
    const changed = Buffer.from(recs[5]!);
    encodeCp932('山田　トミ').copy(changed, 44);
    const truncated = join([...recs.slice(0, 5), changed, ...recs.slice(6, -1)]);
    const run = await app.hub.importFile(bytesSource(truncated, 'JUKI_999997_20261201_01_cut.DAT'), {
      adapter,
    });
    expect(run).toMatchObject({ status: 'failed', error: { code: 'HUB_ERR_NO_TRAILER' } });
    expect(run.error!.message).toContain('トレーラ');
    expect(await stored()).toEqual(before);
    expect((await person('1058')).record.name.full).toBe('山田　トメ');
  });

  it('fails a file whose trailer count is wrong, and one without a header', async () => {
    const before = await stored();
    const recs = records();
    const wrongCount = join([...recs.slice(0, -2), recs.at(-1)!]);
    const run = await app.hub.importFile(bytesSource(wrongCount, 'count.DAT'), { adapter });
    expect(run).toMatchObject({
      status: 'failed',
      error: { code: 'HUB_ERR_TRAILER_COUNT', field: 'データ件数' },
    });
    const noHeader = await app.hub.importFile(bytesSource(join(recs.slice(1)), 'noheader.DAT'), { adapter });
    expect(noHeader).toMatchObject({ status: 'failed', error: { code: 'HUB_ERR_NO_HEADER', line: 1 } });
    expect(await stored()).toEqual(before);
  });

  it('rejects a short record and bytes cut inside a character, and reads the rest', async () => {
    const recs = records();
    const short = recs[2]!.subarray(0, 399);
    const broken = Buffer.from(recs[3]!);
    // a lead byte as the last byte of 氏名: the character is cut by the field edge
    broken[82] = 0x20;
    broken[83] = 0x88;
    const run = await app.hub.importFile(
      bytesSource(join([recs[0]!, recs[1]!, short, broken, ...recs.slice(4)]), 'bad.DAT'),
      {
        adapter,
        mode: 'delta',
      },
    );
    expect(run.status).toBe('partial');
    const rejects = (await app.hub.imports.rejects(run.id, 10, 0)).items;
    expect(rejects.map((r) => [r.line, r.code, r.field ?? null])).toEqual([
      [3, 'HUB_ERR_RECORD_LENGTH', null],
      [4, 'HUB_ERR_INVALID_BYTES', '氏名'],
    ]);
    expect(rejects[1]!.column).toBe(84);
    expect(rejects[1]!.message).toMatch(/88/);
  });

  it('applies the file again after another file changed its municipality, then answers unchanged', async () => {
    const again = await app.hub.importFile(bytesSource(fixture, fileName), { adapter });
    expect(again.status).toBe('succeeded');
    const run = await app.hub.importFile(bytesSource(fixture, fileName), { adapter });
    expect(run).toMatchObject({ status: 'unchanged', duplicateOf: again.id });
  });
});
