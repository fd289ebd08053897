import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personsCsv } from '../../bench/persons-csv.ts';
import type { App } from '../../src/app.ts';
import { keys, personal, testApp } from '../helpers/app.ts';
import { bytesSource } from '../helpers/files.ts';

const adapter = 'juki-standard-csv';
const csv = personsCsv();
const file = (lines: string[]) => Buffer.from(`${[csv.header, ...lines].join('\n')}\n`);

describe('the bulk person path (COPY into staging, one merge)', () => {
  let app: App;
  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => app.close());

  const staged = async () => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from import_staging`.execute(
      app.hub.store.db,
    );
    return rows[0]!.n;
  };

  it('skips rows whose raw bytes are unchanged and merges only the changed and new ones', async () => {
    const lines = Array.from({ length: 60 }, (_, i) => csv.line(i));
    const first = await app.hub.importFile(bytesSource(file(lines), 'night-1.csv'), { adapter });
    expect(first.status).toBe('succeeded');
    expect(first.counts).toMatchObject({ read: 60, inserted: 60, updated: 0, unchanged: 0 });

    // The next night: another order, person 7 moved, one newcomer.
    const next = [...lines].reverse();
    next[next.indexOf(lines[7]!)] = csv.line(7, 1);
    next.push(csv.line(60));
    const second = await app.hub.importFile(bytesSource(file(next), 'night-2.csv'), { adapter });
    expect(second.status).toBe('succeeded');
    expect(second.counts).toMatchObject({ read: 61, inserted: 1, updated: 1, unchanged: 59, missing: 0 });

    // The unchanged persons were not rewritten: their provenance is still the first night's.
    const runs = await app.hub.store.db
      .selectFrom('persons')
      .select(['last_import_id'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .groupBy('last_import_id')
      .execute();
    expect(Object.fromEntries(runs.map((r) => [r.last_import_id, Number(r.n)]))).toEqual({
      [first.id]: 59,
      [second.id]: 2,
    });
    expect(await staged()).toBe(0);
  });

  it('maps the same rows again when the header spells the columns otherwise', async () => {
    const lines = Array.from({ length: 60 }, (_, i) => csv.line(i));
    const header = csv.header.replace('氏名_フリガナ', '氏名＿フリガナ');
    const run = await app.hub.importFile(
      bytesSource(Buffer.from(`${[header, ...lines].join('\n')}\n`), 'renamed.csv'),
      { adapter },
    );
    // Same records (person 7 back to its first address, newcomer 60 missing now), every row read through the mapping.
    expect(run.counts).toMatchObject({ read: 60, updated: 1, unchanged: 59, missing: 1 });
  });

  it('leaves nothing in staging when a run fails, and stores its rejects once', async () => {
    const bad = Array.from({ length: 5 }, (_, i) => csv.line(100 + i).replace(/^[^,]*/, '9.99999E+05'));
    const run = await app.hub.importFile(bytesSource(file(bad), 'all-bad.csv'), { adapter });
    expect(run.status).toBe('failed');
    expect(await staged()).toBe(0);
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from import_rejects where import_id = ${run.id}`.execute(app.hub.store.db);
    expect(rows[0]!.n).toBe(5);
  });

  it('answers reads while a large file is staged, before the run commits', async () => {
    const someone = await app.hub.store.db.selectFrom('persons').select('id').executeTakeFirstOrThrow();
    const lines = Array.from({ length: 7000 }, (_, i) => csv.line(1000 + i));
    let importDone = 0;
    const importing = app.hub.importFile(bytesSource(file(lines), 'large.csv'), { adapter }).then((run) => {
      importDone = performance.now();
      return run;
    });
    // Wait until the run has staged its first batch, then read.
    while (importDone === 0 && (await staged()) === 0) await new Promise((r) => setTimeout(r, 5));
    const read = await app.inject({ url: `/v1/residents/${someone.id}`, headers: personal(keys.counter) });
    const readDone = performance.now();
    expect(read.statusCode).toBe(200);
    const run = await importing;
    expect(run.counts.inserted).toBe(7000);
    expect(readDone).toBeLessThan(importDone);
  });

  it("shows a run's new persons all at once when it ends, and answers reads while it writes them", async () => {
    const counts = async () => {
      const { rows } = await sql<{ shown: number; stored: number }>`
        select (select count(*)::int from person_records) as shown, (select count(*)::int from persons) as stored`.execute(
        app.hub.store.db,
      );
      return rows[0]!;
    };
    const before = await counts();
    expect(before.stored).toBe(before.shown);
    const lines = Array.from({ length: 6000 }, (_, i) => csv.line(20_000 + i));
    let done = false;
    const importing = app.hub
      .importFile(bytesSource(file(lines), 'newcomers.csv'), { adapter })
      .finally(() => {
        done = true;
      });
    const seen: { shown: number; stored: number }[] = [];
    while (!done) {
      seen.push(await counts());
      await new Promise((r) => setTimeout(r, 2));
    }
    const run = await importing;
    expect(run.status).toBe('succeeded');
    expect(run.counts).toMatchObject({ read: 6000, inserted: 6000 });
    // Readers saw the register before the run or after it, never part of it ...
    expect(seen.filter((c) => c.shown !== before.shown && c.shown !== before.shown + 6000)).toEqual([]);
    // ... and were answered while the new persons were already written but not yet shown.
    expect(seen.some((c) => c.stored > before.stored && c.shown === before.shown)).toBe(true);
    expect(await counts()).toEqual({ shown: before.shown + 6000, stored: before.stored + 6000 });
    expect(await app.hub.store.db.selectFrom('unpublished_runs').selectAll().execute()).toEqual([]);
  });

  it('takes back, before the next run, the persons a run that died left unpublished', async () => {
    const stored = async () =>
      Number(
        (
          await app.hub.store.db
            .selectFrom('persons')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const shownBefore = await app.hub.persons.count();
    const storedBefore = await stored();
    // What a process killed between two slices leaves: a run that no longer runs, its persons unpublished.
    const dead = await app.hub.importFile(
      bytesSource(file([csv.line(30_000), csv.line(30_001)]), 'dead.csv'),
      {
        adapter,
      },
    );
    await sql`update import_runs set status = 'failed' where id = ${dead.id}`.execute(app.hub.store.db);
    await sql`insert into unpublished_runs (import_id) values (${dead.id})`.execute(app.hub.store.db);
    await sql`update persons set inserted_by_run = ${dead.id} where last_import_id = ${dead.id}`.execute(
      app.hub.store.db,
    );
    expect(await stored()).toBe(storedBefore + 2);
    expect(await app.hub.persons.count()).toBe(shownBefore);
    const next = await app.hub.importFile(bytesSource(file([csv.line(30_002)]), 'next.csv'), { adapter });
    expect(next.counts).toMatchObject({ inserted: 1 });
    expect(await stored()).toBe(storedBefore + 1);
    expect(await app.hub.persons.count()).toBe(shownBefore + 1);
    expect(await app.hub.store.db.selectFrom('unpublished_runs').selectAll().execute()).toEqual([]);
  });
});

describe('staging in a worker thread', () => {
  it('stores the same persons, counts and rejects as staging in the hub thread', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => csv.line(i));
    lines.push(csv.line(3)); // a duplicate key
    lines.push(csv.line(41).replace(/^[^,]*/, '9.99999E+05')); // a reject
    const results = [];
    for (const threads of ['0', '2']) {
      const app = await testApp({ env: { HUB_IMPORT_THREADS: threads } });
      try {
        const run = await app.hub.importFile(bytesSource(file(lines), 'mixed.csv'), { adapter });
        const persons = await app.hub.store.db
          .selectFrom('person_records')
          .select(['source_key', 'record', 'record_hash', 'raw_hash', 'source_line', 'provenance'])
          .orderBy('source_key')
          .execute();
        const rejects = await app.hub.store.db
          .selectFrom('import_rejects')
          .select(['line', 'code', 'field'])
          .where('import_id', '=', run.id)
          .orderBy('line')
          .execute();
        results.push({
          status: run.status,
          counts: run.counts,
          rejects,
          persons: persons.map((p) => ({
            ...p,
            provenance: { ...p.provenance, source: { ...p.provenance.source, importId: '', asOf: '' } },
          })),
        });
      } finally {
        await app.close();
      }
    }
    expect(results[0]!.status).toBe('partial');
    expect(results[0]!.rejects.map((r) => r.code)).toEqual([
      'HUB_ERR_DUPLICATE_KEY',
      'HUB_ERR_EXPONENT_NOTATION',
    ]);
    expect(results[1]).toEqual(results[0]);
  });
});
