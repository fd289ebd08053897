import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type Figure, PER_DATABASE_FIGURES } from '../bench/figures.ts';
import { onPostgres } from './helpers/app.ts';
import { root } from './helpers/files.ts';

const run = promisify(execFile);
const database = onPostgres ? 'postgres' : 'pglite';
const other = onPostgres ? 'pglite' : 'postgres';

const ids = (db: string) =>
  PER_DATABASE_FIGURES.map((name) => {
    const [group, rest] = name.split('.') as [string, string];
    return `${group}.${db}.${rest}`;
  });

describe('npm run bench -- --json', () => {
  it(`runs every benchmark at a tiny size on ${database} and prints one JSON object of figures with targets and verdicts`, async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/run.ts',
        '--json',
        '--rows',
        '300',
        '--duration',
        '1',
        '--database',
        database,
      ],
      { cwd: root, env: process.env, maxBuffer: 1024 * 1024 },
    );
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const report = JSON.parse(stdout) as { rows: number; machine: { cpus: number }; figures: Figure[] };
    expect(report.rows).toBe(300);
    expect(report.machine.cpus).toBeGreaterThan(0);
    const byId = new Map(report.figures.map((f) => [f.id, f]));
    expect([...byId.keys()].sort()).toEqual(
      [
        'fixedWidth.ratioToSplitting',
        'fixedWidth.wallRatioToSplitting',
        'fixedWidth.ratioToSplitAndDecode',
        'fixedWidth.readerRecordsPerSecond',
        ...ids(database),
        ...ids(other),
      ].sort(),
    );
    for (const f of report.figures) {
      expect(typeof f.target, f.id).toBe('string');
      expect(['PASS', 'FAIL', 'INFO', 'SKIPPED'], f.id).toContain(f.verdict);
      if (f.verdict === 'SKIPPED') expect(f.value, f.id).toBeNull();
      else expect(f.value, f.id).toEqual(expect.any(Number));
      if (f.target !== '—' && f.target !== 'reported' && f.value !== null)
        expect(['PASS', 'FAIL'], f.id).toContain(f.verdict);
    }
    // In-process PGlite has no separate server CPU; everything else is measured.
    const measured = ids(database).filter(
      (id) => database === 'postgres' || !/serverCpuUsPerRow|serverShare/.test(id),
    );
    for (const id of measured) expect(byId.get(id)?.verdict, id).not.toBe('SKIPPED');
    for (const id of ids(other)) expect(byId.get(id)?.verdict, id).toBe('SKIPPED');
    expect(byId.get('fixedWidth.ratioToSplitting')?.target).toBe('≤ ×3');
    expect(byId.get(`api.${database}.kanaP99`)?.target).toBe('<= 50');
  }, 180_000);
});
