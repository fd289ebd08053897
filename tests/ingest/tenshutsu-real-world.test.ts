import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { testApp } from '../helpers/app.ts';
import { bytesSource, root } from '../helpers/files.ts';

const xml = readFileSync(path.join(root, 'fixtures', 'tenshutsu-xml', 'chigasaki-family.xml'), 'utf8');

/** Replaces the n-th (1-based) occurrence of `from` in `text`. */
function replaceNth(text: string, from: string, to: string, n: number): string {
  let at = -1;
  for (let i = 0; i < n; i++) at = text.indexOf(from, at + 1);
  return `${text.slice(0, at)}${to}${text.slice(at + from.length)}`;
}

describe('転出証明書 as real documents write them', () => {
  let app: App;
  const importFile = (text: string, name: string, adapter = 'tenshutsu-xml') =>
    app.hub.importFile(bytesSource(Buffer.from(text), name), { adapter });
  const persons = async (certificateNumber: string) => {
    const { items } = await app.hub.certificates.search({ number: certificateNumber, limit: 1, offset: 0 });
    return items[0]!.persons;
  };

  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => app.close());

  it('reads 世帯主の子, legacy 長男/二女 and 子（子の妻） instead of failing the certificate', async () => {
    let text = xml.replace('<証明書番号>R8-000123</証明書番号>', '<証明書番号>R8-LABELS</証明書番号>');
    text = replaceNth(text, '<続柄>子</続柄>', '<続柄>世帯主の子</続柄>', 1);
    text = replaceNth(text, '<続柄>子</続柄>', '<続柄>長男</続柄>', 1);
    text = replaceNth(text, '<続柄>子</続柄>', '<続柄>子（子の妻）</続柄>', 1);
    text = text.replace('<続柄>妻</続柄>', '<続柄>妻 </続柄>');
    const run = await importFile(text, 'labels.xml');
    expect(run.status).toBe('succeeded');
    const byOrder = new Map((await persons('R8-LABELS')).map((p) => [p.order, p.relationship]));
    expect(byOrder.get(2)).toEqual({ codes: ['12'], label: '妻' });
    expect(byOrder.get(4)).toEqual({ codes: ['20'], label: '世帯主の子' });
    expect(byOrder.get(5)).toEqual({ codes: ['20'], label: '長男' });
    expect(byOrder.get(6)).toEqual({ codes: ['20'], label: '子（子の妻）' });
  });

  it('still refuses a label that names no chain (祖父 is 父の父 or 母の父), naming the field', async () => {
    const text = xml
      .replace('<証明書番号>R8-000123</証明書番号>', '<証明書番号>R8-GRANDPA</証明書番号>')
      .replace('<続柄>父</続柄>', '<続柄>祖父</続柄>');
    const run = await importFile(text, 'grandpa.xml');
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'HUB_ERR_CERTIFICATE', field: '続柄' });
  });

  it('matches a person without 住民票コード to the register by birth date, name and 転出先 written differently', async () => {
    const header =
      '市区町村コード,宛名番号,世帯番号,住民種別,住民状態,氏名,氏名_フリガナ,性別,生年月日,続柄コード1,続柄表記,住所_都道府県,住所_市区郡町村名,住所_町字,住所_番地号表記';
    const register = [
      header,
      '142077,5001,5001,1,1,山田　太郎,ヤマダ　タロウ,1,1980-04-01,02,世帯主,神奈川県,茅ケ崎市,茅ケ崎2丁目,3-4',
      '142077,5002,5002,1,1,山田　太郎,ヤマダ　タロウ,1,1980-04-01,02,世帯主,神奈川県,茅ケ崎市,東海岸北1丁目,1-1',
    ].join('\n');
    expect((await importFile(register, 'register.csv', 'juki-standard-csv')).counts).toMatchObject({
      inserted: 2,
      rejected: 0,
    });
    const registered = await app.hub.store.db
      .selectFrom('persons')
      .select('id')
      .where('atena_no', '=', '5001')
      .executeTakeFirstOrThrow();
    const text = xml
      .replace('<証明書番号>R8-000123</証明書番号>', '<証明書番号>R8-NOCODE</証明書番号>')
      .replace('<住民票コード>92000000010</住民票コード>', '')
      // Other persons than the first: another family, or this would be a re-issue of R8-LABELS.
      .replace(/<住民票コード>920(\d+)<\/住民票コード>/g, '<住民票コード>930$1</住民票コード>');
    const nocode = await importFile(text, 'nocode.xml');
    expect(nocode.status, JSON.stringify(nocode.error)).toBe('succeeded');
    const head = (await persons('R8-NOCODE')).find((p) => p.order === 1)!;
    expect(head.residentCode).toBeUndefined();
    expect(head.matchedPersonId).toBe(registered.id);
    const wife = (await persons('R8-NOCODE')).find((p) => p.order === 2)!;
    expect(wife.matchedPersonId).toBeUndefined();
  });

  it('gives a newcomer of a later 住記 export the id of the certificate person without 住民票コード', async () => {
    const text = xml
      .replace('<証明書番号>R8-000123</証明書番号>', '<証明書番号>R8-LATER</証明書番号>')
      .replace('<住民票コード>92000000010</住民票コード>', '')
      .replace(/<住民票コード>920(\d+)<\/住民票コード>/g, '<住民票コード>940$1</住民票コード>')
      .replace(
        '<住所>神奈川県茅ヶ崎市茅ヶ崎二丁目３番４号</住所>',
        '<住所>神奈川県茅ヶ崎市本村五丁目６番７号</住所>',
      );
    expect((await importFile(text, 'later.xml')).status).toBe('succeeded');
    const head = (await persons('R8-LATER')).find((p) => p.order === 1)!;
    expect(head.matchedPersonId).toBeUndefined();
    const register = [
      '市区町村コード,宛名番号,世帯番号,住民種別,住民状態,住民票コード,氏名,氏名_フリガナ,性別,生年月日,続柄コード1,続柄表記,住所_都道府県,住所_市区郡町村名,住所_町字,住所_番地号表記',
      '142077,5003,5003,1,1,93000000017,山田　太郎,ヤマダ　タロウ,1,1980-04-01,02,世帯主,神奈川県,茅ケ崎市,本村5丁目,6番地7',
    ].join('\n');
    expect((await importFile(register, 'juki_異動分.csv', 'juki-standard-csv')).counts).toMatchObject({
      inserted: 1,
    });
    const newcomer = await app.hub.store.db
      .selectFrom('persons')
      .select('id')
      .where('atena_no', '=', '5003')
      .executeTakeFirstOrThrow();
    expect(newcomer.id).toBe(head.id);
    expect((await persons('R8-LATER')).find((p) => p.order === 1)!.matchedPersonId).toBe(head.id);
  });
});
