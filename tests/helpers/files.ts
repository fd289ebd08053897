import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ImportSource } from '../../src/ingest/run-import.ts';

export const root = path.resolve(import.meta.dirname, '..', '..');
export const samplePath = path.join(root, 'fixtures', 'juki-standard-csv', 'resident_table.csv');
export const sampleBytes = (): Buffer => readFileSync(samplePath);
/** A `fixtures/real-world/columns-<name>.csv` file (column contract and run status cases). */
export const realWorld = (name: string): string =>
  path.join(root, 'fixtures', 'real-world', `columns-${name}.csv`);

/** An import source over bytes in memory, fed in chunks of `chunk` bytes. */
export function bytesSource(bytes: Buffer, fileName = 'test.csv', chunk = 64 * 1024): ImportSource {
  return {
    fileName,
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    async *open() {
      for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
    },
  };
}

/** The sample as text lines (without BOM), for building variants. */
export function sampleLines(): string[] {
  return sampleBytes()
    .toString('utf8')
    .replace(/^\ufeff/, '')
    .split('\n')
    .filter((l) => l !== '');
}

/** Replaces one column's value in a CSV data line (the sample has no quoted fields). */
export function withColumn(header: string, line: string, column: string, value: string): string {
  const names = header.split(',');
  const cells = line.split(',');
  const i = names.indexOf(column);
  if (i === -1) throw new Error(`no column ${column}`);
  cells[i] = value;
  return cells.join(',');
}
