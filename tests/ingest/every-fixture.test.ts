import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/index.ts';
import type { App } from '../../src/app.ts';
import { fileSource } from '../../src/ingest/sources.ts';
import { testApp } from '../helpers/app.ts';
import { root } from '../helpers/files.ts';

const fixtures = path.join(root, 'fixtures');
const readers = new Set(adapters.filter((a) => a.manifest.direction === 'read').map((a) => a.manifest.id));

/** The read adapter of a fixture: its folder, or the system its name says (departmental, scenario, real-world). */
function adapterOf(file: string): string | undefined {
  const [folder] = path.relative(fixtures, file).split(path.sep);
  const name = path.basename(file, path.extname(file));
  if (folder && readers.has(folder)) return folder;
  if (folder === 'departmental' || (folder === 'scenario-chigasaki' && readers.has(`${name}-csv`)))
    return `${name}-csv`;
  if (folder === 'scenario-chigasaki' || folder === 'real-world') {
    const ext = path.extname(file).toLowerCase();
    return ext === '.xml' ? 'tenshutsu-xml' : ext === '.dat' ? 'juki-legacy-fixed' : 'juki-standard-csv';
  }
  return undefined;
}

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = path.join(dir, n);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
}

const cases = walk(fixtures)
  .filter((f) => /\.(csv|dat|xml)$/i.test(f))
  .map((f) => ({ file: path.relative(root, f), adapter: adapterOf(f)! }))
  .filter((c) => c.adapter);

/** Column names as the mapping file spells them, compared after NFKC: an oracle apart from the hub's matcher. */
function mappingText(adapter: string): string {
  const dir = path.join(root, 'mappings', adapter);
  return readdirSync(dir)
    .filter((n) => n.endsWith('.mapping.yaml'))
    .map((n) => readFileSync(path.join(dir, n), 'utf8'))
    .join('\n')
    .normalize('NFKC');
}

describe('no import of any fixture succeeds while a column of it was neither mapped nor declared ignored', () => {
  let app: App;
  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => app.close());

  it('covers the fixtures of every read adapter', () => {
    expect(new Set(cases.map((c) => c.adapter))).toEqual(readers);
    expect(cases.length).toBeGreaterThan(40);
  });

  it.each(cases)('$file ($adapter)', async ({ file, adapter }) => {
    const run = await app.hub.importFile(await fileSource(path.join(root, file)), { adapter });
    const unknown = run.warnings.filter((w) => w.code === 'HUB_ERR_UNKNOWN_COLUMN').map((w) => w.field);
    if (path.basename(file) === 'columns-unknown.csv') {
      expect(unknown).toEqual(['備考', '緊急連絡先']);
      return;
    }
    // shipped fixtures: every column is read, kept or ignored by the mapping
    expect(unknown).toEqual([]);
    if (run.status !== 'succeeded' && run.status !== 'partial') return;
    const columns = await columnsOf(file, adapter);
    const text = mappingText(adapter);
    expect(columns.filter((c) => !text.includes(c.normalize('NFKC')))).toEqual([]);
  });

  /** The columns the adapter announced for a file, from the run's own stored rejects-free reading. */
  async function columnsOf(file: string, adapter: string): Promise<string[]> {
    const reader = app.hub.adapters.reader(adapter);
    const layout = app.hub.mappings.layout(adapter);
    const bytes = readFileSync(path.join(root, file));
    for await (const item of reader.read(
      (async function* () {
        yield bytes;
      })(),
      { fileName: path.basename(file), config: {}, ...(layout ? { layout } : {}) },
    )) {
      if (item.kind === 'meta') return item.fields;
    }
    return [];
  }
});
