import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import type { ImportRun } from '../../src/schemas/import-run.ts';
import { testApp } from '../helpers/app.ts';
import { bytesSource, sampleBytes, sampleLines, withColumn } from '../helpers/files.ts';

const adapter = 'juki-standard-csv';
const [header, ...rows] = sampleLines() as [string, ...string[]];

describe('bad input gets a clear answer and loses nothing', () => {
  let app: App;
  let snapshot: unknown;
  const stored = () =>
    app.hub.store.db
      .selectFrom('persons')
      .select(['id', 'record_hash', 'updated_at'])
      .orderBy('id')
      .execute();
  const importText = (text: string | Buffer, name: string) =>
    app.hub.importFile(bytesSource(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, name), {
      adapter,
    });
  const rejectsOf = async (run: ImportRun) => (await app.hub.imports.rejects(run.id, 100, 0)).items;

  beforeAll(async () => {
    app = await testApp();
    await app.hub.importFile(bytesSource(sampleBytes(), 'resident_table.csv'), { adapter });
    snapshot = await stored();
  });
  afterAll(async () => app.close());

  it('fails an empty file and keeps what is stored', async () => {
    const run = await importText('', 'empty.csv');
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'HUB_ERR_EMPTY_FILE' });
    expect(run.error!.message).toContain('empty.csv');
    expect(await stored()).toEqual(snapshot);
  });

  it('fails a file of only a header rather than marking everyone missing', async () => {
    const run = await importText(`${header}\n`, 'header-only.csv');
    expect(run).toMatchObject({ status: 'failed', error: { code: 'HUB_ERR_NO_RECORDS', line: 1 } });
    expect(await stored()).toEqual(snapshot);
  });

  it('fails a file without a required column, naming the column', async () => {
    const cut = (l: string) =>
      l
        .split(',')
        .filter((_, i) => i !== header.split(',').indexOf('生年月日'))
        .join(',');
    const run = await importText([header, ...rows].map(cut).join('\n'), 'no-birth.csv');
    expect(run).toMatchObject({
      status: 'failed',
      error: { code: 'HUB_ERR_MISSING_COLUMN', field: '生年月日' },
    });
    expect(run.error!.message).toContain('生年月日');
    expect(await stored()).toEqual(snapshot);
  });

  it('fails a file in an encoding it cannot read, naming the byte', async () => {
    const run = await importText(
      Buffer.concat([Buffer.from('\ufeff'), iconv.encode([header, ...rows].join('\n'), 'utf-16le')]).subarray(
        3,
      ),
      'utf16.csv',
    );
    expect(run).toMatchObject({ status: 'failed', error: { code: 'HUB_ERR_ENCODING_UNDETECTED' } });
    expect(run.error!.message).toMatch(/0x[0-9a-f]{2}/);
    expect(await stored()).toEqual(snapshot);
  });

  it('rejects a row with too few and a row with too many columns, keeping the others', async () => {
    const short = rows[1]!.split(',').slice(0, 50).join(',');
    const long = `${rows[2]},extra`;
    const run = await importText([header, rows[0], short, long, ...rows.slice(3)].join('\n'), 'columns.csv');
    expect(run.status).toBe('partial');
    expect(run.counts).toMatchObject({ read: 27, rejected: 2, unchanged: 25 });
    const rejects = await rejectsOf(run);
    expect(rejects.map((r) => [r.line, r.code])).toEqual([
      [3, 'HUB_ERR_COLUMN_COUNT'],
      [4, 'HUB_ERR_COLUMN_COUNT'],
    ]);
    expect(rejects[0]!.message).toContain('50');
    expect(Buffer.from(rejects[0]!.raw!, 'base64').toString('utf8')).toBe(short);
    // a full export with rejected rows does not mark their persons missing
    expect(run.counts.missing).toBe(0);
    expect(await stored()).toEqual(snapshot);
  });

  it('rejects an impossible date with its line, column and field', async () => {
    const bad = withColumn(header, rows[4]!, '生年月日', '2015-02-30');
    const run = await importText(
      [header, ...rows.slice(0, 4), bad, ...rows.slice(5)].join('\n'),
      'feb30.csv',
    );
    const rejects = await rejectsOf(run);
    expect(rejects).toEqual([
      expect.objectContaining({ line: 6, column: 30, field: '生年月日', code: 'HUB_ERR_INVALID_DATE' }),
    ]);
    expect(rejects[0]!.message).toContain('2015-02-30');
    expect(run.counts).toMatchObject({ read: 27, rejected: 1, unchanged: 26 });
  });

  it('rejects a broken quote and still reads the rows after it', async () => {
    const broken = rows[0]!.replace('甲野　一郎,甲野', '"甲野　一郎"x,甲野');
    const run = await importText([header, broken, ...rows.slice(1)].join('\n'), 'quote.csv');
    const rejects = await rejectsOf(run);
    expect(rejects).toEqual([
      expect.objectContaining({ line: 2, code: 'HUB_ERR_CSV_SYNTAX', field: '氏名' }),
    ]);
    expect(run.counts).toMatchObject({ read: 27, rejected: 1, unchanged: 26 });
  });

  it('rejects an unclosed quote at the end of the file', async () => {
    const run = await importText(
      [header, ...rows.slice(0, -1), `${rows.at(-1)},"unclosed`].join('\n'),
      'unclosed.csv',
    );
    const rejects = await rejectsOf(run);
    expect(rejects).toEqual([expect.objectContaining({ line: 28, code: 'HUB_ERR_CSV_SYNTAX' })]);
    expect(rejects[0]!.message).toContain('引用符');
  });

  it('rejects a row with bytes invalid in its encoding, with offset and hex', async () => {
    const sjis = iconv.encode([header, ...rows].join('\r\n'), 'cp932');
    const lineStart = sjis.indexOf(Buffer.from('\r\n999999,3,'));
    const bad = Buffer.from(sjis);
    bad[lineStart + 12] = 0x82;
    bad[lineStart + 13] = 0x20;
    const run = await app.hub.importFile(bytesSource(bad, 'bad-bytes.csv'), { adapter, encoding: 'cp932' });
    const rejects = await rejectsOf(run);
    expect(rejects).toEqual([expect.objectContaining({ line: 4, code: 'HUB_ERR_INVALID_BYTES' })]);
    expect(rejects[0]!.message).toContain('82 20');
    expect(run.counts).toMatchObject({ read: 27, rejected: 1, unchanged: 26 });
  });

  it('rejects a second row with the same 宛名番号', async () => {
    const run = await importText([header, ...rows, rows[0]].join('\n'), 'dup.csv');
    const rejects = await rejectsOf(run);
    expect(rejects).toEqual([expect.objectContaining({ line: 29, code: 'HUB_ERR_DUPLICATE_KEY' })]);
    expect(rejects[0]!.message).toContain('2 行目');
  });

  it('rejects an unknown code and an era that does not fit, all in one run', async () => {
    const a = withColumn(header, rows[0]!, '住民状態', '7');
    const b = withColumn(header, rows[1]!, '生年月日_元号', '5');
    const run = await importText([header, a, b, ...rows.slice(2)].join('\n'), 'codes.csv');
    const rejects = await rejectsOf(run);
    expect(rejects.map((r) => [r.line, r.field, r.code])).toEqual([
      [2, '住民状態', 'HUB_ERR_INVALID_CODE'],
      [3, '生年月日', 'HUB_ERR_ERA_MISMATCH'],
    ]);
  });

  it('streams a large file in batches and finds a duplicate across batches', async () => {
    const many: string[] = [header];
    for (let i = 0; i < 3000; i++) {
      many.push(
        withColumn(
          header,
          withColumn(header, rows[0]!, '宛名番号', String(100000 + i)),
          '住民票コード',
          String(10000000000 + i),
        ),
      );
    }
    many.push(many[1]!);
    const run = await importText(many.join('\n'), 'juki_異動分_large.csv');
    expect(run.counts).toMatchObject({ read: 3001, inserted: 3000, rejected: 1 });
    expect(await app.hub.persons.count()).toBe(3027);
    // the duplicate is found across batches (500 rows each), with the line of the first
    const [dup] = await rejectsOf(run);
    expect(dup).toMatchObject({ line: 3002, code: 'HUB_ERR_DUPLICATE_KEY' });
    expect(dup!.message).toContain('2 行目');
  });
});
