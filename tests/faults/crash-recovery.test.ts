import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personsCsv } from '../../bench/persons-csv.ts';
import type { App } from '../../src/app.ts';
import { auth, keys } from '../helpers/app.ts';
import { sharedHub, startPaused } from '../helpers/crash.ts';
import { bytesSource, sampleBytes, samplePath } from '../helpers/files.ts';
import { openChigasakiVisit } from '../helpers/visit.ts';

/** Every file under a folder, relative to it (a live hub's staging owner file aside). */
function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name !== '.owner')
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
      .sort();
  } catch {
    return [];
  }
}

// Each case kills a real hub process with SIGKILL at one step (HUB_TEST_PAUSE_AT), then opens
// the same data folder (or PostgreSQL schema) in a fresh hub and checks what is left.
// Real processes are slow to start on a loaded machine: generous timeouts.
describe('a hub killed with kill -9 leaves nothing behind and loses nothing', { timeout: 300_000 }, () => {
  const hub = sharedHub();
  const inbox = path.join(hub.dir, 'inbox');
  hub.env.HUB_CONFIG = path.join(hub.dir, 'hub.config.yaml');
  const staging = path.join(hub.env.HUB_DATA_DIR!, 'staging');
  const outbox = path.join(hub.env.HUB_OUTBOX_DIR!, 'juki-idou-csv');
  const body = (phone: string) => ({
    formId: 'juminidou',
    values: { phone },
    confirmedBy: 'staff-1',
    signatures: [{ key: 'signature', method: 'tablet' }],
  });
  let app: App | undefined;
  let visitId: string;
  const reopen = async () => {
    await app?.close();
    app = await hub.open();
    return app;
  };
  const close = async () => {
    await app?.close();
    app = undefined;
  };

  beforeAll(() => {
    mkdirSync(inbox, { recursive: true });
    writeFileSync(
      hub.env.HUB_CONFIG!,
      'jobs:\n  - { name: juki, kind: inbound, schedule: "0 2 * * *", adapter: juki-standard-csv, source: { type: folder, dir: ./inbox }, doneMarker: true }\n',
    );
  });
  afterAll(async () => {
    await close();
    await hub.drop();
  });

  it('removes the spooled upload of an import killed mid-run at the next start-up', async () => {
    const child = await startPaused(hub.env, 'import-after-spool', 'import', samplePath);
    expect(filesUnder(staging).some((f) => f.endsWith('.part'))).toBe(true);
    await child.kill();
    const a = await reopen();
    expect(filesUnder(staging)).toEqual([]);
    expect((await a.hub.imports.list(10, 0)).total).toBe(0);
  });

  it('keeps an inbound file in its inbox when the job is killed, removes the staged copy, and imports it once', async () => {
    await close();
    writeFileSync(path.join(inbox, 'JUKI_20261201.csv'), sampleBytes());
    writeFileSync(path.join(inbox, 'JUKI_20261201.done'), 'rows=27\n');
    const child = await startPaused(hub.env, 'inbound-after-stage', 'job', 'juki');
    expect(filesUnder(staging).some((f) => f.endsWith('JUKI_20261201.csv'))).toBe(true);
    await child.kill();
    const a = await reopen();
    expect(filesUnder(staging)).toEqual([]);
    expect(filesUnder(inbox)).toEqual(['JUKI_20261201.csv', 'JUKI_20261201.done']);
    const run = await a.hub.jobs.run('juki', 'api');
    expect(run.counts).toMatchObject({ imported: 1, failed: 0 });
    expect(filesUnder(inbox)).toEqual(['archive/JUKI_20261201.csv', 'archive/JUKI_20261201.done']);
    expect(filesUnder(staging)).toEqual([]);
    expect(await a.hub.persons.count()).toBe(27);
  });

  it('lets a retry succeed exactly once after a submission was killed with its Idempotency-Key in flight', async () => {
    visitId = await openChigasakiVisit(app!);
    await close();
    const child = await startPaused(
      hub.env,
      'idempotency-before-commit',
      'submit',
      visitId,
      'crash-key',
      JSON.stringify(body('0467-00-0001')),
    );
    await child.kill();
    const a = await reopen();
    const submit = () =>
      a.inject({
        method: 'POST',
        url: `/v1/visits/${visitId}/submissions`,
        headers: auth(keys.admin, { 'idempotency-key': 'crash-key' }),
        payload: body('0467-00-0001'),
      });
    const retry = await submit();
    expect(retry.statusCode, retry.body).toBe(202);
    expect((await submit()).json()).toEqual(retry.json());
    const subs = await a.hub.store.db.selectFrom('form_submissions').select('id').execute();
    expect(subs.map((s) => s.id)).toEqual([retry.json().id]);
    const deliveries = await a.hub.store.db.selectFrom('deliveries').select('status').execute();
    expect(deliveries).toEqual([{ status: 'pending' }]);
  });

  for (const [n, point] of [
    [1, 'delivery-after-write'],
    [2, 'delivery-after-rename'],
    [3, 'delivery-after-done'],
  ] as const) {
    it(`finishes a delivery killed at ${point} on the same file, at once, with no orphan and no second file`, async () => {
      const a = app ?? (await reopen());
      if (n > 1) {
        const res = await a.inject({
          method: 'POST',
          url: `/v1/visits/${visitId}/submissions`,
          headers: auth(keys.admin, { 'idempotency-key': `crash-${n}` }),
          payload: body(`0467-00-000${n + 1}`),
        });
        expect(res.statusCode).toBe(202);
      }
      await close();
      const child = await startPaused(hub.env, point, 'deliver');
      const atKill = filesUnder(outbox);
      await child.kill();
      // killed with a file on the way: a .tmp, or a final file without .done, or a complete one
      expect(atKill.length).toBeGreaterThan(2 * (n - 1));
      const b = await reopen();
      const started = Date.now();
      expect(await b.hub.dispatcher.runOnce()).toEqual({ delivered: 1, failed: 0, dead: 0 });
      expect(Date.now() - started).toBeLessThan(10_000);
      const files = filesUnder(outbox);
      const csvs = files.filter((f) => f.endsWith('.csv'));
      expect(files.filter((f) => !f.endsWith('.csv') && !f.endsWith('.done'))).toEqual([]);
      expect(csvs).toHaveLength(n);
      expect(files.filter((f) => f.endsWith('.done'))).toHaveLength(n);
      // every submission's rows are in exactly one complete file
      const subs = await b.hub.store.db.selectFrom('form_submissions').select('id').execute();
      for (const s of subs) {
        const holding = csvs.filter((f) => readFileSync(path.join(outbox, f), 'utf8').includes(`${s.id},`));
        expect(holding, s.id).toHaveLength(1);
      }
      const rows = await b.hub.store.db
        .selectFrom('deliveries')
        .select(['status', 'artifact'])
        .orderBy('created_at')
        .execute();
      expect(rows.map((r) => r.status)).toEqual(Array(n).fill('delivered'));
      expect(path.basename(rows[n - 1]!.artifact!.path)).toBe(csvs.at(-1) ?? '');
      expect(await b.hub.dispatcher.runOnce()).toEqual({ delivered: 0, failed: 0, dead: 0 });
    });
  }

  it('shows none of the new persons an import killed between two slices had written; the next run shows each once', async () => {
    const a = app ?? (await reopen());
    const shown = await a.hub.persons.count();
    const csv = personsCsv();
    const newcomers = path.join(hub.dir, 'newcomers.csv');
    writeFileSync(
      newcomers,
      `${[csv.header, ...Array.from({ length: 40 }, (_, i) => csv.line(i))].join('\n')}\n`,
    );
    await close();
    const child = await startPaused(hub.env, 'import-after-first-slice', 'import', newcomers);
    await child.kill();
    const b = await reopen();
    expect(await b.hub.persons.count()).toBe(shown);
    // The killed run is failed on reopening, on PostgreSQL too: its process is certainly gone.
    const killed = await b.hub.store.db
      .selectFrom('import_runs')
      .select(['status', 'file_name'])
      .where('file_name', '=', 'a.csv')
      .execute();
    expect(killed).toEqual([{ status: 'failed', file_name: 'a.csv' }]);
    const run = await b.hub.importFile(bytesSource(readFileSync(newcomers), 'newcomers.csv'), {
      adapter: 'juki-standard-csv',
    });
    expect(run.status).toBe('succeeded');
    expect(run.counts).toMatchObject({ read: 40, inserted: 40 });
    expect(await b.hub.persons.count()).toBe(shown + 40);
    const stored = await b.hub.store.db
      .selectFrom('persons')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(shown + 40);
    expect(await b.hub.store.db.selectFrom('unpublished_runs').selectAll().execute()).toEqual([]);
  });
});
