/**
 * The client-side CPU of one person row, stage by stage (issue 10, Deliver 3):
 * `node --import tsx bench/map-rows.ts [--rows N] [--json]`.
 *
 * Generated persons of the 122-column standard CSV (in memory) are read through the
 * `juki-standard-csv` reader and mapped as an import does it, the mapped records handled in
 * batches of 500 (see `pipeline`): (a) the raw floor (split + decode + CSV parse, as
 * bench/import-child.ts), (a') the adapter's reader alone (the floor plus raw bytes per row and
 * zipping fields with the header), (b) `mapItem`, (c) `personSearchKeys`, (d) stable JSON +
 * SHA-256, (e) `newId`. Each figure is the median of 3 runs after a warm-up, in µs CPU per row,
 * with its ratio to the raw floor of the same run. `--only <stage>` runs one stage for a profile.
 *
 * It also prints a digest of every output (record JSON, hash, search keys, provenance columns),
 * so that a faster implementation can be shown to give the same bytes.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { adapters } from '../adapters/index.ts';
import { newId } from '../src/ids.ts';
import { type MapState, mapItem, takeMeta } from '../src/ingest/map-item.ts';
import { sha256Hex, stableStringify } from '../src/ingest/record-hash.ts';
import { personSearchKeys } from '../src/ingest/search-keys.ts';
import { requireMappingCatalog } from '../src/mapping/catalog.ts';
import { CsvRecordParser } from '../src/parsers/csv.ts';
import { decodeBytes } from '../src/parsers/decode.ts';
import { splitLines } from '../src/parsers/lines.ts';
import { Address } from '../src/schemas/address.ts';
import { HubDate } from '../src/schemas/common.ts';
import { PersonName, PersonRecord, PersonStatus } from '../src/schemas/person.ts';
import type { ReadItem } from '../src/sdk/adapter.ts';
import { createAdapterRegistry } from '../src/sdk/registry.ts';
import { chunks, median } from './measure.ts';
import { personsCsv } from './persons-csv.ts';

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1];
};
const rows = Number(flag('--rows') ?? 20_000);
const asJson = argv.includes('--json');
/** `--only <stage>`: that stage alone, five times (for `node --cpu-prof --import tsx …`). */
const only = flag('--only');
const repeats = 3;

const root = path.resolve(import.meta.dirname, '..');
const adapterId = 'juki-standard-csv';
const registry = createAdapterRegistry(adapters);
const reader = registry.reader(adapterId);
const mappings = requireMappingCatalog(
  path.join(root, 'mappings'),
  adapters.map((a) => a.manifest.id),
);
const mapping = mappings.get(adapterId, 'person')!;
const layout = mappings.layout(adapterId);
const personCheck = TypeCompiler.Compile(PersonRecord, [HubDate, Address, PersonName, PersonStatus]);

const csv = personsCsv();
const lines = [csv.header];
for (let i = 0; i < rows; i++) lines.push(csv.line(i));
const bytes = Buffer.from(`${lines.join('\n')}\n`, 'utf8');

type RecordItem = Extract<ReadItem, { kind: 'record' }>;

async function rawFloor(): Promise<number> {
  const parser = new CsvRecordParser();
  let n = 0;
  for await (const line of splitLines(chunks(bytes))) {
    const d = decodeBytes(line.bytes, 'utf-8');
    if ('text' in d) n += parser.pushLine(d.text, line.line).length;
  }
  return n + parser.end().length;
}

async function readAll(): Promise<{ meta: Extract<ReadItem, { kind: 'meta' }>; records: RecordItem[] }> {
  let meta: Extract<ReadItem, { kind: 'meta' }> | undefined;
  const records: RecordItem[] = [];
  for await (const item of reader.read(chunks(bytes), {
    fileName: 'bench.csv',
    config: {},
    ...(layout ? { layout } : {}),
  })) {
    if (item.kind === 'meta') meta = item;
    else if (item.kind === 'record') records.push(item);
    else throw new Error(`reject at line ${item.line}: ${item.message}`);
  }
  return { meta: meta!, records };
}

function newState(): MapState {
  return {
    fields: [],
    mode: 'full',
    renamed: new Map(),
    known: new Set(),
    strictColumns: false,
    warnings: [],
    sources: new Set(),
  };
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const mapOne = (item: RecordItem, state: MapState) => {
  const m = mapItem(item, mapping, personCheck, state, mappings);
  if (m.kind !== 'record') throw new Error(`line ${item.line}: ${JSON.stringify(m)}`);
  return m;
};

type Stage = 'mapItem' | 'searchKeys' | 'jsonHash' | 'newId';
/**
 * One pass as an import makes it: each record is mapped as the reader yields it, and the mapped
 * records are handled in batches of 500 (search keys, JSON + hash, ids), each of these stages
 * timed over the batch; nothing is kept past its batch. `mapItem` is the pass's CPU less the
 * batch stages and less `readerUs` (the reader alone, measured in the same run).
 */
async function pipeline(readerUs: number, only?: Stage): Promise<Record<Stage, number>> {
  const used: Record<Stage, number> = { mapItem: 0, searchKeys: 0, jsonHash: 0, newId: 0 };
  const state = newState();
  let batch: PersonRecord[] = [];
  let sink: unknown;
  const flush = () => {
    if (only === 'mapItem') return;
    let t = cpuNow();
    for (const r of batch) sink = personSearchKeys(r);
    used.searchKeys += cpuNow() - t;
    t = cpuNow();
    for (const r of batch) sink = sha256Hex(stableStringify(r));
    used.jsonHash += cpuNow() - t;
    t = cpuNow();
    for (let i = 0; i < batch.length; i++) sink = newId('per');
    used.newId += cpuNow() - t;
  };
  const start = cpuNow();
  for await (const item of reader.read(chunks(bytes), { fileName: 'bench.csv', config: {} })) {
    if (item.kind === 'meta') takeMeta(item, mapping, state);
    else if (item.kind === 'record') {
      batch.push(mapOne(item, state).record as PersonRecord);
      if (batch.length === 500) {
        flush();
        batch = [];
      }
    } else throw new Error(`reject at line ${item.line}: ${item.message}`);
  }
  flush();
  const total = cpuNow() - start;
  void sink;
  used.mapItem = total - used.searchKeys - used.jsonHash - used.newId - readerUs * rows;
  for (const k of Object.keys(used) as Stage[]) used[k] /= rows;
  return used;
}

async function readerOnly(): Promise<number> {
  let n = 0;
  for await (const item of reader.read(chunks(bytes), { fileName: 'bench.csv', config: {} })) {
    if (item.kind === 'record') n++;
  }
  if (n !== rows) throw new Error(`read ${n} records of ${rows}`);
  return n;
}

if (only) {
  // For a profile: one stage (or the reader, or the raw floor) five times.
  for (let i = 0; i < 5; i++) {
    if (only === 'rawFloor') await rawFloor();
    else if (only === 'reader') await readerOnly();
    else await pipeline(0, only as Stage);
  }
  process.exit(0);
}

await rawFloor();
const floorRuns: number[] = [];
const readerRuns: number[] = [];
const pipelineRuns: Record<Stage, number>[] = [];
await readerOnly();
await pipeline(0);
for (let i = 0; i < repeats; i++) {
  let t = cpuNow();
  await rawFloor();
  floorRuns.push((cpuNow() - t) / rows);
  t = cpuNow();
  await readerOnly();
  readerRuns.push((cpuNow() - t) / rows);
  pipelineRuns.push(await pipeline(readerRuns.at(-1)!));
}
const stages: Record<string, number> = {
  rawFloor: median(floorRuns),
  reader: median(readerRuns),
};
for (const k of ['mapItem', 'searchKeys', 'jsonHash', 'newId'] as Stage[]) {
  stages[k] = median(pipelineRuns.map((r) => r[k]));
}
const clientStep = stages.mapItem! + stages.searchKeys! + stages.jsonHash! + stages.newId!;

// The outputs, for comparing implementations: every record's JSON and hash, search keys, provenance columns.
const { meta, records } = await readAll();
const state = newState();
takeMeta(meta, mapping, state);
const mapped = records.map((item) => mapOne(item, state));
const persons = mapped.map((m) => m.record as PersonRecord);
const jsons = persons.map((r) => stableStringify(r));
const digest = createHash('sha256');
for (let i = 0; i < rows; i++) {
  digest.update(jsons[i]!);
  digest.update(sha256Hex(jsons[i]!));
  digest.update(JSON.stringify(personSearchKeys(persons[i]!)));
  digest.update(JSON.stringify(mapped[i]!.sources));
}
const outputDigest = digest.digest('hex');

if (asJson) {
  console.log(
    JSON.stringify({
      rows,
      cpuUsPerRow: stages,
      clientStepUsPerRow: clientStep,
      clientStepRatioToFloor: clientStep / stages.rawFloor!,
      outputDigest,
    }),
  );
} else {
  const f = (n: number) => n.toFixed(2).padStart(8);
  console.log(`rows ${rows}, µs CPU per row (median of ${repeats} after a warm-up), × the raw floor`);
  for (const [name, us] of Object.entries(stages)) {
    console.log(`${name.padEnd(12)} ${f(us)} µs  ×${(us / stages.rawFloor!).toFixed(2)}`);
  }
  console.log(
    `${'client step'.padEnd(12)} ${f(clientStep)} µs  ×${(clientStep / stages.rawFloor!).toFixed(2)}  (b+c+d+e)`,
  );
  console.log(`output digest ${outputDigest}`);
}
