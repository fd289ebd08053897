/**
 * Import benchmark: rows per second and peak heap for a small and a ten-times larger 住記 CSV,
 * against a baseline run at the same time (reading and parsing the same bytes without mapping or
 * database). A streaming import keeps the heap ratio between the two sizes near 1.
 *
 *   npm run bench            (N=5000 by default; BENCH_ROWS=20000 npm run bench)
 */
import { createHash } from 'node:crypto';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config/env.ts';
import { CsvRecordParser } from '../src/parsers/csv.ts';
import { decodeBytes } from '../src/parsers/decode.ts';
import { splitLines } from '../src/parsers/lines.ts';
import { sampleLines, withColumn } from '../tests/helpers/files.ts';

const base = Number(process.env.BENCH_ROWS ?? 5000);

function makeFile(rows: number): Buffer {
  const [header, template] = sampleLines() as [string, string];
  const out: string[] = [header];
  for (let i = 0; i < rows; i++) {
    let line = withColumn(header, template, '宛名番号', String(1_000_000 + i));
    line = withColumn(header, line, '住民票コード', String(20_000_000_000 + i));
    out.push(line);
  }
  return Buffer.from(`${out.join('\n')}\n`);
}

async function* chunks(bytes: Buffer) {
  for (let i = 0; i < bytes.length; i += 64 * 1024) yield bytes.subarray(i, i + 64 * 1024);
}

function heapSampler() {
  global.gc?.();
  const start = process.memoryUsage().heapUsed;
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 20);
  return () => {
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    return (peak - start) / 1024 / 1024;
  };
}

async function baseline(bytes: Buffer): Promise<number> {
  const t = performance.now();
  const parser = new CsvRecordParser();
  let n = 0;
  for await (const line of splitLines(chunks(bytes))) {
    const d = decodeBytes(line.bytes, 'utf-8');
    if ('text' in d) n += parser.pushLine(d.text, line.line).length;
  }
  if (n === 0) throw new Error('nothing parsed');
  return performance.now() - t;
}

async function importOnce(bytes: Buffer): Promise<{ ms: number; heapMb: number }> {
  const app = await buildApp(
    loadConfig({
      HUB_DATA_DIR: 'memory://',
      LOG_LEVEL: 'silent',
      ...(process.env.DATABASE_URL
        ? { DATABASE_URL: process.env.DATABASE_URL, DATABASE_SCHEMA: `bench_${Date.now()}` }
        : {}),
    }),
  );
  const stop = heapSampler();
  const t = performance.now();
  const run = await app.hub.importFile(
    {
      fileName: 'bench.csv',
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      open: () => chunks(bytes),
    },
    { adapter: 'juki-standard-csv' },
  );
  const ms = performance.now() - t;
  const heapMb = stop();
  await app.close();
  if (run.counts.inserted !== bytes.toString().split('\n').length - 2)
    throw new Error(`imported ${run.counts.inserted}`);
  return { ms, heapMb };
}

const results = [];
for (const rows of [base, base * 10]) {
  const bytes = makeFile(rows);
  const b = await baseline(bytes);
  const r = await importOnce(bytes);
  results.push({ rows, mb: bytes.length / 1024 / 1024, baselineMs: b, ...r });
}
for (const r of results) {
  console.log(
    `${String(r.rows).padStart(7)} rows ${r.mb.toFixed(1).padStart(6)} MB  parse-only ${Math.round(r.rows / (r.baselineMs / 1000))} rows/s  import ${Math.round(r.rows / (r.ms / 1000))} rows/s  import/baseline time ×${(r.ms / r.baselineMs).toFixed(1)}  peak heap +${r.heapMb.toFixed(1)} MB`,
  );
}
const [small, large] = results as [(typeof results)[0], (typeof results)[0]];
console.log(
  `file size ×${(large.mb / small.mb).toFixed(1)} → peak heap ×${(large.heapMb / Math.max(small.heapMb, 0.1)).toFixed(2)}`,
);
