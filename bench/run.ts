/**
 * Issue 10's measurements, each beside its target and against a baseline measured in the same
 * run (see bench/README.md):
 *
 *   npm run bench                      100,000 persons, 10 s per HTTP measurement
 *   npm run bench -- --rows 20000 --duration 5
 *   npm run bench -- --large           1,000,000 persons
 *   npm run bench -- --json            one JSON object on stdout; progress on stderr
 *
 * PostgreSQL is measured when DATABASE_URL is set (in a fresh schema, dropped afterwards), PGlite
 * always (in a fresh folder). Each database's import runs in its own child process
 * (bench/import-child.ts), which then serves the hub while this process sends the load.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { type Figure, figure, formatTable, PER_DATABASE_FIGURES, skipped } from './figures.ts';
import { fixedWidthReader } from './fixed-width-reader.ts';
import { surnameKana, writePersonsCsv } from './persons-csv.ts';
import type { ChildArgs, ChildMessage } from './protocol.ts';

const argv = process.argv.slice(2);
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1];
};
const json = argv.includes('--json');
const rows = argv.includes('--large') ? 1_000_000 : Number(option('--rows') ?? 100_000);
const duration = Number(option('--duration') ?? 10);
const only = option('--database');
const changedEvery = 100;
if (
  !Number.isInteger(rows) ||
  rows < 100 ||
  !(duration > 0) ||
  (only !== undefined && only !== 'postgres' && only !== 'pglite')
) {
  process.stderr.write(
    'usage: npm run bench -- [--json] [--rows N (≥ 100) | --large] [--duration SECONDS] [--database postgres|pglite]\n',
  );
  process.exit(2);
}
const started = performance.now();
const progress = (line: string) =>
  process.stderr.write(`${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s  ${line}\n`);
const loadBefore = os.loadavg();

const workDir = mkdtempSync(path.join(os.tmpdir(), 'hub-bench-'));
const files = {
  full: path.join(workDir, 'persons.csv'),
  next: path.join(workDir, 'persons-next.csv'),
  seed: path.join(workDir, 'seed.csv'),
  other: path.join(workDir, 'persons-other.csv'),
};
progress(`generating ${rows.toLocaleString('en-US')} persons in ${workDir}`);
writePersonsCsv(files.full, rows);
writePersonsCsv(files.next, rows, changedEvery);
writePersonsCsv(files.seed, 3, undefined, rows + 1000);
// Other persons, as many: imported again in the hub thread to compare with the worker thread.
writePersonsCsv(files.other, rows, undefined, 2 * rows + 2000);

const figures: Figure[] = [];
let failed = false;

progress('legacy fixed-width reader');
const fixedRows = Math.min(rows, 50_000);
const fw = await fixedWidthReader(fixedRows);
figures.push(
  figure(
    {
      id: 'fixedWidth.ratioToSplitting',
      label: 'legacy fixed-width reader, CPU time ÷ raw byte splitting',
      value: fw.ratio,
      unit: '×',
      target: '≤ ×3',
      baseline: { label: 'raw byte splitting', value: fw.splitRowsPerSecond, unit: 'records/s' },
    },
    { op: '<=', limit: 3 },
  ),
  figure({
    id: 'fixedWidth.wallRatioToSplitting',
    label: 'legacy fixed-width reader, wall time ÷ raw byte splitting',
    value: fw.wallRatio,
    unit: '×',
  }),
  figure({
    id: 'fixedWidth.ratioToSplitAndDecode',
    label: 'legacy fixed-width reader, CPU time ÷ (splitting + decoding each record once)',
    value: fw.ratioToSplitAndDecode,
    unit: '×',
  }),
  figure({
    id: 'fixedWidth.readerRecordsPerSecond',
    label: `legacy fixed-width reader (${fixedRows.toLocaleString('en-US')} records)`,
    value: fw.readerRowsPerSecond,
    unit: 'records/s',
  }),
);

/** Messages of a child, awaited by type; the child's death rejects every wait. */
function conversation(child: ChildProcess) {
  const queue: ChildMessage[] = [];
  const waiting: { type: string; resolve: (m: ChildMessage) => void; reject: (e: Error) => void }[] = [];
  let dead: Error | undefined;
  child.on('message', (m: ChildMessage) => {
    const i = waiting.findIndex((w) => w.type === m.type);
    if (i === -1) queue.push(m);
    else waiting.splice(i, 1)[0]!.resolve(m);
  });
  child.on('exit', (code) => {
    dead = new Error(`the benchmark child exited with ${code}`);
    for (const w of waiting.splice(0)) w.reject(dead);
  });
  return <T extends ChildMessage['type']>(type: T): Promise<Extract<ChildMessage, { type: T }>> => {
    const i = queue.findIndex((m) => m.type === type);
    if (i !== -1) return Promise.resolve(queue.splice(i, 1)[0] as Extract<ChildMessage, { type: T }>);
    if (dead) return Promise.reject(dead);
    return new Promise((resolve, reject) =>
      waiting.push({ type, resolve: resolve as (m: ChildMessage) => void, reject }),
    );
  };
}

/**
 * Probes `/readyz` and a read in turn, one at a time, every 250 ms, until stopped; the first
 * `warmUp` probes (connections, compiled code) are not counted.
 */
function probe(base: string, readPath: string, headers: Record<string, string>, warmUp = 0) {
  let max = 0;
  let failures = 0;
  let count = 0;
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const t = performance.now();
      try {
        const res = await fetch(`${base}${i % 2 ? readPath : '/readyz'}`, {
          headers,
          signal: AbortSignal.timeout(30_000),
        });
        await res.arrayBuffer();
        if (res.status !== 200 && i >= warmUp) failures++;
      } catch {
        if (i >= warmUp) failures++;
      }
      if (i < warmUp) continue;
      max = Math.max(max, performance.now() - t);
      latencies.push(performance.now() - t);
      count++;
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return async () => {
    running = false;
    await loop;
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? 0;
    return {
      max: failures > 0 ? Math.max(max, 30_000) : max,
      p99: failures > 0 ? 30_000 : p99,
      failures,
      count,
    };
  };
}

type Probed = Awaited<ReturnType<ReturnType<typeof probe>>>;

const apiKey = `bench-key-${process.pid}-0000000000`;
const headers = { authorization: `Bearer ${apiKey}`, 'x-purpose': encodeURIComponent('性能測定') };

async function load(url: string, paths: () => string, connections: number, withHeaders: boolean) {
  const r = await autocannon({
    url,
    connections,
    duration,
    timeout: 30,
    ...(withHeaders ? { headers } : {}),
    requests: [{ setupRequest: (request) => ({ ...request, path: paths() }) }],
  });
  if (r.non2xx > 0 || r.errors > 0)
    throw new Error(`${url}: ${r.non2xx} answers other than 2xx, ${r.errors} errors`);
  // Latencies count answered requests only: with none answered, the run's length is a lower bound.
  if (r.requests.total === 0) r.latency = { ...r.latency, p50: duration * 1000, p99: duration * 1000 };
  return r;
}

async function measureDatabase(database: 'postgres' | 'pglite'): Promise<Figure[]> {
  const args: ChildArgs = {
    database,
    ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
    pgliteDir: path.join(workDir, 'pglite'),
    workDir,
    file: files.full,
    deltaFile: files.next,
    otherFile: files.other,
    seedFile: files.seed,
    rows,
    changedEvery,
    apiKey,
  };
  const child = fork(path.join(import.meta.dirname, 'import-child.ts'), [JSON.stringify(args)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const next = conversation(child);
  try {
    const { port, seedId } = await next('serving');
    const hub = `http://127.0.0.1:${port}`;
    const idleSeconds = Math.min(duration, 5);
    progress(`[${database}] probing the idle hub (${idleSeconds} s)`);
    const stopIdle = probe(hub, `/v1/residents/${seedId}`, headers, 2);
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const idle = await stopIdle();
    child.send({ type: 'go' });
    progress(`[${database}] raw floor, then full import`);
    await next('importing');
    const stopProbe = probe(hub, `/v1/residents/${seedId}`, headers);
    await next('imported');
    const during = await stopProbe();
    progress(`[${database}] delta import`);
    const done = await next('done');
    let k = 0;
    const byId = () => `/v1/residents/${done.ids[k++ % done.ids.length]}`;
    progress(`[${database}] GET /v1/residents/{id}: bare route, then the hub (${duration} s each)`);
    const bare = await load(`http://127.0.0.1:${done.barePort}`, byId, 50, false);
    const read = await load(hub, byId, 50, true);
    progress(`[${database}] GET /v1/residents?kana= (${duration} s)`);
    let s = 0;
    const kana = await load(
      hub,
      () => `/v1/residents?kana=${encodeURIComponent(surnameKana[s++ % surnameKana.length]!)}`,
      10,
      true,
    );
    progress(`[${database}] full import again, in the hub thread instead of a worker thread`);
    child.send({ type: 'inThread' });
    const inThread = await next('inThreadDone');
    progress(`[${database}] done`);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send({ type: 'exit' });
    await exited;
    return databaseFigures(database, { ...done, inThread }, { idle, during }, { bare, read, kana });
  } catch (e) {
    child.kill();
    throw e;
  }
}

function databaseFigures(
  database: 'postgres' | 'pglite',
  done: Extract<ChildMessage, { type: 'done' }> & {
    inThread: Extract<ChildMessage, { type: 'inThreadDone' }>;
  },
  { idle, during }: { idle: Probed; during: Probed },
  api: Record<'bare' | 'read' | 'kana', Awaited<ReturnType<typeof autocannon>>>,
): Figure[] {
  const pg = database === 'postgres';
  const d = { database };
  const perSecond = (ms: number) => rows / (ms / 1000);
  const floor = perSecond(done.rawFloor.ms);
  const imported = perSecond(done.full.ms);
  const clientUs = done.full.cpuUs / rows;
  const serverUs = done.full.serverCpuUs === undefined ? undefined : done.full.serverCpuUs / rows;
  const bareP99 = api.bare.latency.p99;
  const floorBaseline = { label: 'raw floor', value: Math.round(floor), unit: 'rows/s' };
  return [
    figure({
      ...d,
      id: `import.${database}.workerThreadSpeedup`,
      label: 'full import: 1 worker thread ÷ the hub thread (other persons, as many, on an emptied table)',
      value: done.inThread.ms / done.full.ms,
      unit: '×',
      baseline: {
        label: 'full import in the hub thread',
        value: Math.round(perSecond(done.inThread.ms)),
        unit: 'persons/s',
      },
    }),
    figure(
      {
        ...d,
        id: `import.${database}.personsPerSecond`,
        label: 'full import',
        value: imported,
        unit: 'persons/s',
      },
      { op: '>=', limit: pg ? 20_000 : 5_000 },
    ),
    figure(
      {
        ...d,
        id: `import.${database}.clientCpuUsPerRow`,
        label: pg ? 'full import, client CPU' : 'full import, CPU (client and embedded database)',
        value: clientUs,
        unit: 'µs/row',
        ...(pg ? { target: '≤ 68 (5× cheaper than ~340)' } : {}),
      },
      pg ? { op: '<=', limit: 68 } : undefined,
    ),
    pg
      ? figure({
          ...d,
          id: `import.${database}.serverCpuUsPerRow`,
          label: 'full import, server CPU (backends, from /proc)',
          value: serverUs,
          unit: 'µs/row',
          ...(serverUs === undefined ? { reason: 'backend processes not readable in /proc' } : {}),
        })
      : figure({
          ...d,
          id: `import.${database}.serverCpuUsPerRow`,
          label: 'full import, server CPU',
          value: null,
          unit: 'µs/row',
          reason: 'in-process database: included in the CPU above',
        }),
    figure({
      ...d,
      id: `import.${database}.serverShare`,
      label: 'full import, server share of CPU',
      value: serverUs === undefined ? null : serverUs / (serverUs + clientUs),
      unit: '',
      ...(serverUs === undefined ? { reason: pg ? 'server CPU not measured' : 'in-process database' } : {}),
    }),
    figure({
      ...d,
      id: `rawFloor.${database}.rowsPerSecond`,
      label: 'raw floor (read + decode + split)',
      value: floor,
      unit: 'rows/s',
    }),
    figure({
      ...d,
      id: `rawFloor.${database}.cpuUsPerRow`,
      label: 'raw floor CPU',
      value: done.rawFloor.cpuUs / rows,
      unit: 'µs/row',
    }),
    figure(
      {
        ...d,
        id: `import.${database}.ratioToRawFloor`,
        label: 'full import ÷ raw floor',
        value: imported / floor,
        unit: '',
        baseline: floorBaseline,
      },
      pg ? { op: '>=', limit: 0.15 } : undefined,
    ),
    figure(
      {
        ...d,
        id: `delta.${database}.ratioToFull`,
        label: `delta import (1% of ${rows.toLocaleString('en-US')} changed) ÷ full import`,
        value: done.delta.ms / done.full.ms,
        unit: '',
        baseline: { label: 'full import', value: Math.round(done.full.ms), unit: 'ms' },
      },
      { op: '<=', limit: 0.25 },
    ),
    figure(
      {
        ...d,
        id: `api.${database}.byIdRatioToBare`,
        label: 'GET /v1/residents/{id}, 50 connections, req/s ÷ bare route',
        value: api.read.requests.average / api.bare.requests.average,
        unit: '×',
        target: '≥ 0.5×',
        baseline: {
          label: `bare Fastify route, same ${done.bodyBytes}-byte body`,
          value: api.bare.requests.average,
          unit: 'req/s',
        },
      },
      { op: '>=', limit: 0.5 },
    ),
    figure({
      ...d,
      id: `api.${database}.byIdRequestsPerSecond`,
      label: 'GET /v1/residents/{id}, 50 connections',
      value: api.read.requests.average,
      unit: 'req/s',
    }),
    figure({
      ...d,
      id: `api.${database}.byIdP50`,
      label: 'GET /v1/residents/{id} p50',
      value: api.read.latency.p50,
      unit: 'ms',
    }),
    figure(
      {
        ...d,
        id: `api.${database}.byIdP99`,
        label: 'GET /v1/residents/{id} p99',
        value: api.read.latency.p99,
        unit: 'ms',
        target: `≤ 2× the bare route's (${2 * bareP99} ms) and ≤ 25 ms`,
        baseline: { label: 'bare route p99', value: bareP99, unit: 'ms' },
      },
      { op: '<=', limit: Math.min(25, 2 * bareP99) },
    ),
    figure({
      ...d,
      id: `api.${database}.kanaRequestsPerSecond`,
      label: 'GET /v1/residents?kana=, 10 connections',
      value: api.kana.requests.average,
      unit: 'req/s',
    }),
    figure({
      ...d,
      id: `api.${database}.kanaP50`,
      label: 'GET /v1/residents?kana= p50',
      value: api.kana.latency.p50,
      unit: 'ms',
    }),
    figure(
      {
        ...d,
        id: `api.${database}.kanaP99`,
        label: 'GET /v1/residents?kana= p99',
        value: api.kana.latency.p99,
        unit: 'ms',
      },
      { op: '<=', limit: 50 },
    ),
    figure(
      {
        ...d,
        id: `rss.${database}.importPeakMb`,
        label: 'peak RSS of the importing process',
        value: done.peakRssMb,
        unit: 'MB',
        ...(pg ? {} : { target: 'reported' }),
      },
      pg ? { op: '<=', limit: 400 } : undefined,
    ),
    figure(
      {
        ...d,
        id: `duringImport.${database}.maxLatencyMs`,
        label: `/readyz and a read during the full import, slowest answer (${during.count} probes, ${during.failures} failed)`,
        value: during.max,
        unit: 'ms',
        ...(pg ? {} : { target: '≤ 2000 (answered within 2 s)' }),
      },
      pg ? undefined : { op: '<=', limit: 2000 },
    ),
    figure(
      {
        ...d,
        id: `duringImport.${database}.p99RatioToIdle`,
        label: 'the same probes, p99 during the import ÷ p99 idle',
        value: during.p99 / Math.max(idle.p99, 0.001),
        unit: '×',
        baseline: {
          label: `idle p99 (${idle.count} probes)`,
          value: Math.round(idle.p99 * 10) / 10,
          unit: 'ms',
        },
        ...(pg ? { target: '≤ 2× (reads within 2× their idle p99)' } : {}),
      },
      pg ? { op: '<=', limit: 2 } : undefined,
    ),
  ];
}

/** The figures a database would have, all skipped (for the JSON shape). */
function skippedDatabase(database: 'postgres' | 'pglite', reason: string): Figure[] {
  return PER_DATABASE_FIGURES.map((name) => {
    const [group, rest] = name.split('.') as [string, string];
    return skipped(
      { id: `${group}.${database}.${rest}`, label: name, database, unit: '', target: '—' },
      reason,
    );
  });
}

for (const database of ['postgres', 'pglite'] as const) {
  if (only && only !== database) {
    figures.push(...skippedDatabase(database, `only ${only} was asked for`));
    continue;
  }
  if (database === 'postgres' && !process.env.DATABASE_URL) {
    figures.push(...skippedDatabase(database, 'DATABASE_URL is not set'));
    continue;
  }
  try {
    figures.push(...(await measureDatabase(database)));
  } catch (e) {
    failed = true;
    figures.push(...skippedDatabase(database, `failed: ${(e as Error).message}`));
  }
}
rmSync(workDir, { recursive: true, force: true });

const report = {
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    node: process.version,
    loadAverageAtStart: loadBefore.map((l) => Math.round(l * 100) / 100),
    loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
  },
  rows,
  httpSeconds: duration,
  elapsedSeconds: Math.round((performance.now() - started) / 1000),
  figures,
};
if (json) process.stdout.write(`${JSON.stringify(report)}\n`);
else {
  console.log(
    `${rows.toLocaleString('en-US')} persons, ${duration} s per HTTP measurement, ${report.machine.cpus} × ${report.machine.cpuModel}, load ${report.machine.loadAverageAtStart.join(' ')}, ${report.elapsedSeconds} s\n`,
  );
  console.log(formatTable(figures));
}
process.exit(failed ? 1 : 0);
