import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ErrorCode, InputError } from '../errors.ts';
import type { ReadAdapter, ReadContext, ReadItem } from './adapter.ts';

/**
 * The conformance suite every read adapter runs (its test file mostly just calls this). Each
 * edge case is one fixture file; the suite feeds each whole and in 5-byte chunks (which splits
 * multibyte characters), checks both give the same items and the expected outcome, that
 * random bytes never make the reader throw anything but an InputError, and that a reader
 * closed early does not hang.
 */
export type Expectation =
  | { records: number; rejects?: { line: number; code: ErrorCode }[]; context?: Partial<ReadContext> }
  | { fails: ErrorCode; context?: Partial<ReadContext> };

/** The edge cases every record-oriented (CSV, fixed-width) adapter must have a fixture for. */
export const REQUIRED_CASES = [
  'valid',
  'empty',
  'header-only',
  'bom',
  'crlf',
  'lf',
  'trailing-eof',
  'short-record',
  'long-record',
  'invalid-byte',
] as const;

/** A document format (XML) has no rows: no header-only, short or long record. */
export const DOCUMENT_CASES = [
  'valid',
  'empty',
  'bom',
  'crlf',
  'lf',
  'trailing-eof',
  'invalid-byte',
] as const;

export interface ConformanceOptions {
  /** Folder of the fixtures: one file per case, named `<case>.<ext>`. */
  dir: string;
  ext: string;
  cases: Record<string, Expectation>;
  /** The context every read gets (e.g. the adapter's layout). */
  context: ReadContext;
  randomRuns?: number;
}

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

type Outcome = { items: unknown[] } | { failed: ErrorCode; line: number };

async function readAll(
  adapter: ReadAdapter,
  bytes: Buffer,
  size: number,
  context: ReadContext,
): Promise<Outcome> {
  const items: unknown[] = [];
  try {
    for await (const item of adapter.read(chunked(bytes, size), context)) items.push(simplify(item));
    return { items };
  } catch (e) {
    if (e instanceof InputError) return { failed: e.code, line: e.line };
    throw e;
  }
}

function simplify(item: ReadItem): unknown {
  if (item.kind === 'record')
    return {
      kind: 'record',
      line: item.line,
      values: item.values,
      raw: Buffer.from(item.raw).toString('hex'),
    };
  if (item.kind === 'reject')
    return { ...item, raw: item.raw ? Buffer.from(item.raw).toString('hex') : undefined };
  return item;
}

export function describeConformance(adapter: ReadAdapter, options: ConformanceOptions): void {
  const { manifest } = adapter;
  describe(`${manifest.id} conformance`, () => {
    it('has a fixture for every required edge case', () => {
      const required = manifest.formats.includes('xml') ? DOCUMENT_CASES : REQUIRED_CASES;
      for (const name of required) expect(options.cases[name], name).toBeDefined();
    });

    for (const [name, expectation] of Object.entries(options.cases)) {
      it(`${name}: reads the same whole and in 5-byte chunks, as expected`, async () => {
        const bytes = readFileSync(path.join(options.dir, `${name}.${options.ext}`));
        const context = { ...options.context, ...expectation.context, fileName: `${name}.${options.ext}` };
        const whole = await readAll(adapter, bytes, Math.max(bytes.length, 1), context);
        const small = await readAll(adapter, bytes, 5, context);
        expect(small).toEqual(whole);
        if ('fails' in expectation) {
          expect(whole).toMatchObject({ failed: expectation.fails });
          return;
        }
        expect('items' in whole, JSON.stringify(whole)).toBe(true);
        if (!('items' in whole)) return;
        const items = whole.items as { kind: string; line: number; code?: string }[];
        expect(items[0]?.kind).toBe('meta');
        expect(items.filter((i) => i.kind === 'meta')).toHaveLength(1);
        expect(items.filter((i) => i.kind === 'record')).toHaveLength(expectation.records);
        expect(items.filter((i) => i.kind === 'reject').map((r) => ({ line: r.line, code: r.code }))).toEqual(
          expectation.rejects ?? [],
        );
      });
    }

    it('never throws on random bytes: it rejects or fails the file instead', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ maxLength: 2000 }),
          fc.integer({ min: 1, max: 64 }),
          async (bytes, size) => {
            await readAll(adapter, Buffer.from(bytes), size, options.context);
          },
        ),
        { numRuns: options.randomRuns ?? 1000 },
      );
    });

    it('can be closed after the first item without reading the rest', async () => {
      const bytes = readFileSync(path.join(options.dir, `valid.${options.ext}`));
      const iterator = adapter
        .read(chunked(bytes, 5), { ...options.context, fileName: `valid.${options.ext}` })
        [Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(first.done).toBe(false);
      await iterator.return?.();
      expect((await iterator.next()).done).toBe(true);
    });
  });
}
