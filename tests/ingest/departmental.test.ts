import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { keys, personal, testApp } from '../helpers/app.ts';
import { bytesSource, root, sampleBytes, sampleLines, withColumn } from '../helpers/files.ts';

const file = (name: string) => readFileSync(path.join(root, 'fixtures', 'departmental', name));

describe('departmental files as enrolments', () => {
  let app: App;
  const idOf = async (atena: string) =>
    (
      await app.hub.store.db
        .selectFrom('persons')
        .select('id')
        .where('atena_no', '=', atena)
        .executeTakeFirstOrThrow()
    ).id;
  const enrolments = async (atena: string) => app.hub.enrolments.forPersons([await idOf(atena)]);

  beforeAll(async () => {
    app = await testApp();
    await app.hub.importFile(bytesSource(sampleBytes(), 'resident_table.csv'), {
      adapter: 'juki-standard-csv',
    });
  });
  afterAll(async () => app.close());

  it('reads each system in its own encoding into enrolments per person', async () => {
    const runs = [];
    for (const [adapter, name] of [
      ['kokuho-csv', 'kokuho.csv'],
      ['kouki-csv', 'kouki.csv'],
      ['kaigo-csv', 'kaigo.csv'],
      ['jidou-teate-csv', 'jidou-teate.csv'],
      ['kodomo-iryo-csv', 'kodomo-iryo.csv'],
    ] as const) {
      runs.push(await app.hub.importFile(bytesSource(file(name), name), { adapter }));
    }
    expect(runs.map((r) => [r.adapter, r.status, r.encoding, r.counts.read])).toEqual([
      ['kokuho-csv', 'partial', 'utf-8', 3],
      ['kouki-csv', 'succeeded', 'utf-8', 2],
      ['kaigo-csv', 'succeeded', 'cp932', 1],
      ['jidou-teate-csv', 'succeeded', 'cp932', 1],
      ['kodomo-iryo-csv', 'succeeded', 'cp932', 2],
    ]);
    expect(await enrolments('1')).toEqual([
      expect.objectContaining({
        program: 'kokuho',
        number: '12-3456',
        status: 'active',
        details: expect.objectContaining({ qualification: '世帯主' }),
      }),
    ]);
    expect((await enrolments('7'))[0]).toMatchObject({ program: 'kouki', details: { burdenRatio: '2' } });
    expect((await enrolments('3'))[0]).toMatchObject({
      program: 'kaigo',
      details: { category: '第1号', careLevel: '12' },
    });
    expect((await enrolments('9'))[0]).toMatchObject({
      program: 'jidou-teate',
      status: 'active',
      details: { childAtenaNos: ['11', '12'], accountHolderKana: 'テイダ　マナブ' },
      provenance: { adapter: 'jidou-teate-csv', file: 'jidou-teate.csv', line: 2 },
    });
    expect((await enrolments('12'))[0]).toMatchObject({
      program: 'kodomo-iryo',
      details: { guardianAtenaNo: '9', insuranceType: '社保' },
    });
  });

  it('keeps a row for an unknown 宛名番号 as a reject and applies it when the person appears', async () => {
    const run = (await app.hub.imports.list(10, 0)).items.find((r) => r.adapter === 'kokuho-csv')!;
    expect(run.counts).toMatchObject({ read: 3, inserted: 2, rejected: 1 });
    const [reject] = (await app.hub.imports.rejects(run.id, 10, 0)).items;
    expect(reject).toMatchObject({ line: 4, field: '宛名番号', code: 'HUB_ERR_UNKNOWN_PERSON' });
    const [header, template] = sampleLines() as [string, string];
    const newcomer = withColumn(
      header,
      withColumn(header, template, '宛名番号', '9999'),
      '住民票コード',
      '99900009999',
    );
    await app.hub.importFile(
      bytesSource(
        Buffer.from(`${header}\n${withColumn(header, newcomer, '世帯番号', '990')}\n`),
        'juki_異動分.csv',
      ),
      {
        adapter: 'juki-standard-csv',
      },
    );
    expect(await enrolments('9999')).toEqual([
      expect.objectContaining({ program: 'kokuho', number: '99-0001' }),
    ]);
  });

  it('answers a person’s enrolments over the API, audited', async () => {
    const id = await idOf('9');
    const res = await app.inject({
      method: 'GET',
      url: `/v1/residents/${id}/enrolments`,
      headers: personal(keys.counter),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((e: { program: string }) => e.program)).toEqual(['jidou-teate']);
  });

  it('counts the same file again as unchanged', async () => {
    const again = await app.hub.importFile(
      bytesSource(Buffer.concat([file('kouki.csv'), Buffer.from('\n')]), 'kouki2.csv'),
      { adapter: 'kouki-csv' },
    );
    expect(again.counts).toMatchObject({ read: 2, unchanged: 2, inserted: 0, updated: 0 });
  });
});
