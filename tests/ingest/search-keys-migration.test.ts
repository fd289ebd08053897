import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import * as m0011 from '../../src/store/migrations/0011-search-keys.ts';
import { createPersonRecordsView } from '../../src/store/migrations/0015-compact-provenance.ts';
import { testApp } from '../helpers/app.ts';
import { bytesSource } from '../helpers/files.ts';

describe('migration 0011 re-keys existing rows', () => {
  let app: App;
  beforeAll(async () => {
    app = await testApp();
    const csv = [
      '市区町村コード,宛名番号,世帯番号,住民種別,住民状態,氏名,氏名_フリガナ,性別,生年月日,続柄コード1,住所_都道府県,住所_市区郡町村名,住所_町字,住所_番地号表記',
      '999999,1,1,1,1,髙橋　試,キュウ　タメシ,1,1980-03-05,02,神奈川県,茅ヶ崎市,東海岸北一丁目,２番３号',
    ].join('\n');
    await app.hub.importFile(bytesSource(Buffer.from(csv), 'one.csv'), { adapter: 'juki-standard-csv' });
  });
  afterAll(async () => app.close());

  it('computes the folding, exact and address keys of rows keyed before it', async () => {
    const db = app.hub.store.db;
    // The view of 0015 reads the search columns: it goes while 0011 is undone and done again.
    await sql`drop view person_records`.execute(db);
    await m0011.down(db as never);
    // Keys as the hub computed them before 0011: NFKC and kana script only.
    await db.updateTable('persons').set({ name_key: '髙橋試', kana_key: 'キュウタメシ' }).execute();
    await m0011.up(db as never);
    await createPersonRecordsView(db as never);
    const row = await db.selectFrom('persons').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      name_key: '高橋試',
      name_exact: '髙橋試',
      kana_key: 'キユウタメシ',
      kana_exact: 'キュウタメシ',
      address_key: '茅ケ崎市東海岸北1-2-3',
    });
    const { items } = await app.hub.persons.search({ name: '高橋', limit: 10, offset: 0 });
    expect(items.map((p) => p.atena_no)).toEqual(['1']);
  });
});
