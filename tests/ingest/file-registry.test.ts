import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { fileSource } from '../../src/ingest/sources.ts';
import type { PersonRecord } from '../../src/schemas/person.ts';
import { testApp } from '../helpers/app.ts';
import { realWorld, samplePath } from '../helpers/files.ts';

describe('the file registry by state, not history', () => {
  let app: App;
  const importFixture = async (name: string) =>
    app.hub.importFile(await fileSource(realWorld(name)), { adapter: 'juki-standard-csv' });
  const town = async (atenaNo: string) => {
    const row = await app.hub.store.db
      .selectFrom('persons')
      .select('record')
      .where('municipality_code', '=', '999998')
      .where('atena_no', '=', atenaNo)
      .executeTakeFirstOrThrow();
    return (row.record as PersonRecord).address?.town;
  };

  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => app.close());

  it('answers the same bytes unchanged while they are the latest state of their municipality', async () => {
    const a = await importFixture('state-a');
    expect(a).toMatchObject({ status: 'succeeded', counts: { inserted: 3 } });
    const again = await importFixture('state-a');
    expect(again).toMatchObject({ status: 'unchanged', duplicateOf: a.id, counts: { read: 0 } });
  });

  it('applies A again after B: A → B → A ends with A', async () => {
    const b = await importFixture('state-b');
    expect(b).toMatchObject({ status: 'succeeded', counts: { updated: 3 } });
    expect(await town('201')).toBe('青葉台');
    const a = await importFixture('state-a');
    expect(a).toMatchObject({ status: 'succeeded', counts: { read: 3, updated: 3, unchanged: 0 } });
    expect(await town('201')).toBe('若葉町二丁目');
    expect(await town('203')).toBe('若葉町二丁目');
    const again = await importFixture('state-a');
    expect(again).toMatchObject({ status: 'unchanged', duplicateOf: a.id });
  });

  it('stays unchanged across imports of another municipality and runs that failed', async () => {
    const other = await app.hub.importFile(await fileSource(samplePath), { adapter: 'juki-standard-csv' });
    expect(other).toMatchObject({ status: 'succeeded', counts: { inserted: 27 } });
    const failed = await app.hub.importFile(await fileSource(realWorld('unknown')), {
      adapter: 'juki-standard-csv',
      strictColumns: true,
    });
    expect(failed.status).toBe('failed');
    expect((await importFixture('state-a')).status).toBe('unchanged');
    expect(await town('201')).toBe('若葉町二丁目');
  });

  it('applies the same bytes again when they were read through another mapping', async () => {
    const latest = await importFixture('state-a');
    expect(latest.status).toBe('unchanged');
    await app.hub.store.db
      .updateTable('import_runs')
      .set({ mapping_fingerprint: 'an earlier mapping' })
      .where('id', '=', latest.duplicateOf!)
      .execute();
    const run = await importFixture('state-a');
    expect(run).toMatchObject({ status: 'succeeded', counts: { read: 3, unchanged: 3 } });
  });
});
