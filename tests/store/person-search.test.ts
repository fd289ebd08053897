import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { createPersonsRepository, nameGrams } from '../../src/store/persons-repo.ts';
import { keys, personal, testApp } from '../helpers/app.ts';
import { bytesSource } from '../helpers/files.ts';

const header =
  '市区町村コード,宛名番号,世帯番号,住民種別,住民状態,氏名,氏名_フリガナ,通称,通称_フリガナ,性別,生年月日,続柄コード1,住所_都道府県,住所_市区郡町村名,住所_町字,住所_番地号表記';
const person = (atena: number, name: string, kana: string, alias = '', aliasKana = '') =>
  `999999,${atena},${atena},1,1,${name},${kana},${alias},${aliasKana},1,1980-03-05,02,神奈川県,茅ヶ崎市,東海岸北一丁目,${atena}番`;

describe('person search through the indexes of migration 0016', () => {
  let app: App;
  const search = (q: { kana?: string; name?: string }) =>
    app.hub.persons.search({ ...q, limit: 50, offset: 0 }).then((p) => p.items.map((r) => r.atena_no));
  beforeAll(async () => {
    app = await testApp();
    const csv = [
      header,
      person(1, '山田　太郎', 'ヤマダ　タロウ'),
      person(2, '金　英洙', 'キム　ヨンス', '金田　英男', 'カネダ　ヒデオ'),
      person(3, '金田　一', 'カネダ　ハジメ'),
      person(4, '斉藤　花子', 'サイトウ　ハナコ'),
      person(5, '齋藤　次郎', 'サイトウ　ジロウ'),
      person(6, '田中　キュウ', 'タナカ　キュウ'),
      person(7, '田中　キユウ', 'タナカ　キユウ'),
      person(8, '森　一', 'モリ　ハジメ'),
    ].join('\n');
    const run = await app.hub.importFile(bytesSource(Buffer.from(csv), 'search.csv'), {
      adapter: 'juki-standard-csv',
    });
    expect(run.counts).toMatchObject({ inserted: 8, rejected: 0 });
  });
  afterAll(async () => app.close());

  it('finds by the reading and by the 通称’s reading, as a prefix', async () => {
    expect(await search({ kana: 'カネダ' })).toEqual(['3', '2']);
    expect(await search({ kana: 'かねだ　ひ' })).toEqual(['2']);
    expect(await search({ kana: 'キム' })).toEqual(['2']);
    // Not the middle of a reading.
    expect(await search({ kana: 'ダ' })).toEqual([]);
  });

  it('ranks the exact spelling first, then the kana order', async () => {
    expect(await search({ kana: 'タナカキユウ' })).toEqual(['7', '6']);
    expect(await search({ kana: 'タナカキュウ' })).toEqual(['6', '7']);
    expect(await search({ name: '斉藤' })).toEqual(['4', '5']);
    expect(await search({ name: '齋藤' })).toEqual(['5', '4']);
  });

  it('finds a part of the name, 通称 or a single character, never across two names', async () => {
    expect(await search({ name: '英男' })).toEqual(['2']);
    expect(await search({ name: '森' })).toEqual(['8']);
    expect(await search({ name: '金' })).toEqual(['3', '2']);
    expect(await search({ name: '太郎' })).toEqual(['1']);
    expect(await search({ name: '洙金' })).toEqual([]);
    expect(nameGrams('金田英')).toEqual(['金田', '田英']);
    expect(nameGrams('𠮷')).toEqual(['𠮷']);
  });

  it('uses the indexes, not a scan of every person', async () => {
    await app.hub.store.db.connection().execute(async (db) => {
      await sql`set enable_seqscan = off`.execute(db);
      try {
        const plan = async (where: string) =>
          (
            await sql
              .raw<{ 'QUERY PLAN': string }>(`explain select id from persons where ${where}`)
              .execute(db)
          ).rows
            .map((r) => r['QUERY PLAN'])
            .join('\n');
        expect(
          await plan(
            `kana_key like 'カネダ%' or (strpos(kana_key, '|') > 0 and substr(kana_key, strpos(kana_key, '|') + 1) like 'カネダ%')`,
          ),
        ).toMatch(/persons_kana_key[\s\S]*persons_kana_alias/);
        expect(await plan(`hub_name_grams(name_key) @> array['金田']`)).toContain('persons_name_grams');
      } finally {
        await sql`reset enable_seqscan`.execute(db);
      }
    });
  });

  it('counts matches up to a cap, then says there are more', async () => {
    const capped = createPersonsRepository(app.hub.store.db, { totalCap: 2 });
    const all = await capped.search({ birthDate: '1980-03-05', limit: 1, offset: 0 });
    expect(all).toMatchObject({ total: 2, totalExact: false, hasMore: true });
    expect(await capped.search({ kana: 'タナカ', limit: 1, offset: 0 })).toMatchObject({
      total: 2,
      totalExact: true,
      hasMore: true,
    });
    expect(await capped.search({ kana: 'タナカ', limit: 5, offset: 5 })).toMatchObject({
      items: [],
      total: 2,
      totalExact: true,
      hasMore: false,
    });
  });

  it('answers an exact total as before, and a capped one with totalExact and hasMore', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/v1/residents?kana=${encodeURIComponent('タナカ')}&limit=1`,
      headers: personal(keys.counter),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBe(2);
    expect(body).not.toHaveProperty('totalExact');
    expect(body.items).toHaveLength(1);
  });
});
