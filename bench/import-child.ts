/**
 * One database's import benchmark, run in its own process so that its peak RSS is its own:
 * `node --import tsx bench/import-child.ts` forked by bench/run.ts, which talks to it over IPC.
 *
 * It serves the hub on a loopback port from the start (so that the parent can probe it idle and
 * during the import), imports a seed file, waits for the parent's `go`, measures the raw floor over the big file's bytes (read +
 * decode + split), imports the big file (wall time, this process's CPU, the PostgreSQL backends'
 * CPU from /proc where readable), imports the next night's file with 1% of persons changed,
 * reports peak RSS, then serves a bare Fastify route with the body of one person until told to
 * exit.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import Fastify from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config/env.ts';
import type { ImportSource } from '../src/ingest/run-import.ts';
import { CsvRecordParser } from '../src/parsers/csv.ts';
import { decodeBytes } from '../src/parsers/decode.ts';
import { splitLines } from '../src/parsers/lines.ts';
import { medianOf, timed } from './measure.ts';
import type { ChildArgs, ChildMessage } from './protocol.ts';

const args = JSON.parse(process.argv[2]!) as ChildArgs;
const send = (m: ChildMessage) => process.send!(m);
// Without its parent nobody will tell it to stop serving.
process.on('disconnect', () => process.exit(1));

async function fileSource(file: string): Promise<ImportSource> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return {
    fileName: file.split('/').pop()!,
    bytes,
    sha256: hash.digest('hex'),
    open: () => createReadStream(file, { highWaterMark: 64 * 1024 }),
  };
}

async function rawFloor(file: string): Promise<number> {
  const parser = new CsvRecordParser();
  let n = 0;
  for await (const line of splitLines(createReadStream(file, { highWaterMark: 64 * 1024 }))) {
    const d = decodeBytes(line.bytes, 'utf-8');
    if ('text' in d) n += parser.pushLine(d.text, line.line).length;
  }
  return n;
}

/** CPU (µs) used so far by the PostgreSQL backends of this hub, found by application name. */
function backendCpu(appName: string) {
  const ticks = 100;
  const seen = new Map<number, number>();
  let readable = true;
  const client = new pg.Client({ connectionString: args.databaseUrl });
  const read = (pid: number): number | undefined => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / ticks;
    } catch {
      return undefined;
    }
  };
  return {
    async start() {
      await client.connect();
    },
    async sample() {
      const { rows } = await client.query<{ pid: number }>(
        'select pid from pg_stat_activity where application_name = $1',
        [appName],
      );
      for (const { pid } of rows) {
        const us = read(pid);
        if (us === undefined) readable = false;
        else seen.set(pid, us);
      }
    },
    snapshot: () => new Map(seen),
    usedSince(before: Map<number, number>): number | undefined {
      if (!readable || seen.size === 0) return undefined;
      let total = 0;
      for (const [pid, us] of seen) total += us - (before.get(pid) ?? 0);
      return total;
    },
    async stop() {
      await client.end();
    },
  };
}

const schema = `bench_${process.pid}`;
const appName = `hub-bench-${process.pid}`;
const onPostgres = args.database === 'postgres';
const url = onPostgres
  ? `${args.databaseUrl}${args.databaseUrl!.includes('?') ? '&' : '?'}application_name=${appName}`
  : undefined;
const app = await buildApp(
  loadConfig(
    {
      HUB_DATA_DIR: onPostgres ? 'memory://' : args.pgliteDir,
      LOG_LEVEL: 'info',
      // One client stands for every counter here: the per-client limit would answer 429.
      HUB_RATE_LIMIT_PER_MINUTE: '100000000',
      HUB_API_KEYS: JSON.stringify([{ id: 'bench', key: args.apiKey, scopes: ['residents:read'] }]),
      ...(url ? { DATABASE_URL: url, DATABASE_SCHEMA: schema } : {}),
    },
    { stagingDir: `${args.workDir}/staging-${args.database}`, outboxDir: `${args.workDir}/outbox` },
  ),
);
await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as { port: number }).port;

const seed = await app.hub.importFile(await fileSource(args.seedFile), { adapter: 'juki-standard-csv' });
const seeded = await app.hub.store.db.selectFrom('persons').select('id').limit(1).executeTakeFirstOrThrow();
if (seed.counts.inserted === 0) throw new Error('seed import inserted nothing');
send({ type: 'serving', port, seedId: seeded.id });
// The parent probes the idle hub first, then lets the measurements begin.
await new Promise<void>((resolve) => {
  const go = (m: { type: string }) => {
    if (m.type !== 'go') return;
    process.off('message', go);
    resolve();
  };
  process.on('message', go);
});

const floor = await medianOf(3, () => rawFloor(args.file));
// The header is a record too.
if (floor.value !== args.rows + 1) throw new Error(`raw floor read ${floor.value} records`);

const server = onPostgres ? backendCpu(appName) : undefined;
await server?.start();
await server?.sample();
const before = server?.snapshot();
const sampler = server && setInterval(() => void server.sample().catch(() => undefined), 500);
send({ type: 'importing' });
const fullSource = await fileSource(args.file);
const full = await timed(() => app.hub.importFile(fullSource, { adapter: 'juki-standard-csv' }));
if (sampler) clearInterval(sampler);
await server?.sample();
const serverUs = server && before ? server.usedSince(before) : undefined;
await server?.stop();
send({ type: 'imported' });
if (full.value.status !== 'succeeded' || full.value.counts.inserted !== args.rows)
  throw new Error(`full import: ${full.value.status}, ${JSON.stringify(full.value.counts)}`);

const deltaSource = await fileSource(args.deltaFile);
const delta = await timed(() => app.hub.importFile(deltaSource, { adapter: 'juki-standard-csv' }));
const changed = Math.ceil(args.rows / args.changedEvery);
if (delta.value.status !== 'succeeded' || delta.value.counts.updated !== changed)
  throw new Error(`delta import: ${delta.value.status}, ${JSON.stringify(delta.value.counts)}`);
const peakRssMb = process.resourceUsage().maxRSS / 1024;

const rows = await app.hub.store.db.selectFrom('persons').select('id').limit(2000).execute();
const headers = { authorization: `Bearer ${args.apiKey}`, 'x-purpose': encodeURIComponent('性能測定') };
const one = await app.inject({ url: `/v1/residents/${rows[0]!.id}`, headers });
if (one.statusCode !== 200) throw new Error(`GET /v1/residents/{id}: ${one.statusCode}`);
const bare = Fastify();
const body = one.body;
bare.get('/v1/residents/:id', async (_request, reply) =>
  reply.type('application/json; charset=utf-8').send(body),
);
await bare.listen({ host: '127.0.0.1', port: 0 });

send({
  type: 'done',
  rawFloor: { ms: floor.ms, cpuUs: floor.cpuUs },
  full: { ms: full.ms, cpuUs: full.cpuUs, ...(serverUs !== undefined ? { serverCpuUs: serverUs } : {}) },
  delta: { ms: delta.ms, cpuUs: delta.cpuUs },
  peakRssMb,
  ids: rows.map((r) => r.id),
  barePort: (bare.server.address() as { port: number }).port,
  bodyBytes: Buffer.byteLength(body),
});

process.on('message', async (m: { type: string }) => {
  if (m.type !== 'inThread') return;
  // An emptied table, as the full import found it; other persons, so that the registry does not skip the file.
  await app.hub.store.db.deleteFrom('persons').execute();
  const other = await fileSource(args.otherFile);
  const inThread = await timed(() =>
    app.hub.importFile(other, { adapter: 'juki-standard-csv', inThread: true }),
  );
  if (inThread.value.status !== 'succeeded' || inThread.value.counts.inserted !== args.rows)
    throw new Error(
      `import in the hub thread: ${inThread.value.status}, ${JSON.stringify(inThread.value.counts)}`,
    );
  send({ type: 'inThreadDone', ms: inThread.ms, cpuUs: inThread.cpuUs });
});

process.on('message', async (m: { type: string }) => {
  if (m.type !== 'exit') return;
  await bare.close();
  await app.close();
  if (onPostgres) {
    const admin = new pg.Client({ connectionString: args.databaseUrl });
    await admin.connect();
    await admin.query(`drop schema if exists "${schema}" cascade`);
    await admin.end();
  }
  process.exit(0);
});
