import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ViewCache } from '../../src/access/view-cache.ts';
import type { App } from '../../src/app.ts';
import { keys, personal, testApp } from '../helpers/app.ts';
import { bytesSource } from '../helpers/files.ts';

const view = (body: string) => ({ body: Buffer.from(body), fields: ['name'] });

describe('ViewCache', () => {
  it('answers a body only for the same person, row version and cut', () => {
    const cache = new ViewCache(1000);
    cache.set('p1', 'v1', '100', view('{"a":1}'));
    expect(cache.get('p1', 'v1', '100')?.body.toString()).toBe('{"a":1}');
    expect(cache.get('p1', 'v1', '000')).toBeUndefined();
    expect(cache.get('p1', 'v2', '100')).toBeUndefined();
    expect(cache.get('p2', 'v1', '100')).toBeUndefined();
    expect(cache.version('p1')).toBe('v1');
  });

  it('forgets the views of an older row version', () => {
    const cache = new ViewCache(1000);
    cache.set('p1', 'v1', '100', view('old'));
    cache.set('p1', 'v1', '000', view('old, cut'));
    cache.set('p1', 'v2', '100', view('new'));
    expect(cache.get('p1', 'v1', '000')).toBeUndefined();
    expect(cache.get('p1', 'v2', '100')?.body.toString()).toBe('new');
  });

  it('stays within its size, least recently used persons first', () => {
    const cache = new ViewCache(100);
    cache.set('p1', 'v', 'c', view('x'.repeat(10)));
    cache.set('p2', 'v', 'c', view('y'.repeat(10)));
    cache.get('p1', 'v', 'c');
    for (let i = 3; i < 12; i++) cache.set(`p${i}`, 'v', 'c', view('z'.repeat(10)));
    expect(cache.get('p1', 'v', 'c')).toBeDefined();
    expect(cache.get('p2', 'v', 'c')).toBeUndefined();
    expect(cache.size).toBeLessThanOrEqual(10);
    cache.drop('p1');
    expect(cache.get('p1', 'v', 'c')).toBeUndefined();
  });

  it('keeps nothing when disabled', () => {
    const cache = new ViewCache(0);
    cache.set('p1', 'v', 'c', view('x'));
    expect(cache.get('p1', 'v', 'c')).toBeUndefined();
  });
});

describe('GET /v1/residents/{id} with cached views', () => {
  let app: App;
  let id: string;
  const read = (headers = personal(keys.counter)) =>
    app.inject({ method: 'GET', url: `/v1/residents/${id}`, headers });
  beforeAll(async () => {
    app = await testApp();
    const csv = [
      '市区町村コード,宛名番号,世帯番号,住民種別,住民状態,氏名,氏名_フリガナ,性別,生年月日,続柄コード1,住所_都道府県,住所_市区郡町村名,住所_町字,住所_番地号表記',
      '999999,1,1,1,1,山田　太郎,ヤマダ　タロウ,1,1980-03-05,02,神奈川県,茅ヶ崎市,東海岸北一丁目,２番３号',
      '999999,2,2,1,1,山田　花子,ヤマダ　ハナコ,2,1982-04-06,02,神奈川県,茅ヶ崎市,東海岸北一丁目,２番３号',
    ].join('\n');
    const run = await app.hub.importFile(bytesSource(Buffer.from(csv), 'two.csv'), {
      adapter: 'juki-standard-csv',
    });
    expect(run.counts, JSON.stringify(run)).toMatchObject({ inserted: 2 });
    id = (
      await app.hub.store.db
        .selectFrom('persons')
        .select('id')
        .where('atena_no', '=', '1')
        .executeTakeFirstOrThrow()
    ).id;
  });
  afterAll(async () => app?.close());

  it('answers the same bytes again, and the new record once the row changes (by any writer)', async () => {
    const first = await read();
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    expect((await read()).body).toBe(first.body);
    const record = (await app.hub.persons.get(id))!.record;
    await app.hub.store.db
      .updateTable('persons')
      .set({ record: JSON.stringify({ ...record, name: { ...record.name, full: '山田　太一' } }) })
      .where('id', '=', id)
      .execute();
    expect((await read()).json().name.full).toBe('山田　太一');
  });

  it('decides restriction and shielding on every read, cached or not', async () => {
    expect((await read()).json().address).toBeDefined();
    const mate = await app.hub.store.db
      .selectFrom('persons')
      .select('id')
      .where('atena_no', '=', '2')
      .executeTakeFirstOrThrow();
    await app.hub.store.db
      .updateTable('persons')
      .set({ restricted: true })
      .where('id', '=', mate.id)
      .execute();
    const shielded = (await read()).json();
    expect(shielded.address).toBeUndefined();
    expect(shielded.withheld).toContain('address');
    await app.hub.store.db.updateTable('persons').set({ restricted: true }).where('id', '=', id).execute();
    expect((await read()).statusCode).toBe(404);
    const admin = await read(personal(keys.admin, { 'x-restricted-access': encodeURIComponent('本人対応') }));
    expect(admin.statusCode).toBe(200);
    expect(admin.json().address).toBeDefined();
    await app.hub.store.db.updateTable('persons').set({ restricted: false }).execute();
    expect((await read()).json().address).toBeDefined();
  });
});
