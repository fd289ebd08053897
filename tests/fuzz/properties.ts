import path from 'node:path';
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import fc from 'fast-check';
import { adapters } from '../../adapters/index.ts';
import { HubError } from '../../src/errors.ts';
import { mapItem } from '../../src/ingest/map-item.ts';
import { requireMappingCatalog } from '../../src/mapping/catalog.ts';
import { CsvRecordParser } from '../../src/parsers/csv.ts';
import { decodeBytes, type Encoding } from '../../src/parsers/decode.ts';
import { readFixedWidth } from '../../src/parsers/fixed-width.ts';
import { splitLines } from '../../src/parsers/lines.ts';
import { root } from '../helpers/files.ts';

/**
 * Properties of the byte-level parsers and the mapping engine, run by fast-check: by the
 * default suite with a few hundred runs (`fuzz-smoke.test.ts`), and by `npm run fuzz` with ten
 * thousand or more (`parsers.fuzz.ts`, FUZZ_RUNS).
 */
export interface FuzzProperty {
  name: string;
  check(runs: number): Promise<void>;
}

const catalog = requireMappingCatalog(
  path.join(root, 'mappings'),
  adapters.map((a) => a.manifest.id),
);

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const i of items) out.push(i);
  return out;
}

async function* chunked(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const c of [...new Set(cuts.map((x) => x % (bytes.length + 1)))].sort((a, b) => a - b)) {
    if (c > at) yield bytes.subarray(at, c);
    at = Math.max(at, c);
  }
  if (at < bytes.length) yield bytes.subarray(at);
}

/** Bytes that look like what files hold: ASCII, CP932/UTF-8 lead and trail bytes, breaks, NUL, 0x1A. */
const fileBytes = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0x20, max: 0x7e }),
      fc.constantFrom(0x0a, 0x0d, 0x00, 0x1a, 0x22, 0x2c),
      fc.integer({ min: 0x80, max: 0xff }),
    ),
    { maxLength: 400 },
  )
  .map((a) => Uint8Array.from(a));
const cuts = fc.array(fc.nat(500), { maxLength: 8 });
const text = fc.string({ unit: 'binary', maxLength: 40 });

/** The byte-by-byte search decodeBytes used before, as the reference for where bytes go bad. */
function referenceInvalid(
  bytes: Uint8Array,
  encoding: 'utf-8' | 'shift_jis',
): { offset: number; hex: string } {
  const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
  const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    try {
      if (decoder.decode(bytes.subarray(i, i + 1), { stream: true }).length > 0) start = i + 1;
    } catch {
      return { offset: start, hex: hex(bytes.subarray(start, Math.min(i + 1, start + 4))) };
    }
  }
  return { offset: start, hex: hex(bytes.subarray(start, Math.min(bytes.length, start + 4))) };
}

function quoteCsv(field: string): string {
  return /[",\n\r]/.test(field) || field === '' ? `"${field.replace(/"/g, '""')}"` : field;
}

export const properties: FuzzProperty[] = [
  {
    name: 'csv: RFC 4180 records come back field for field, whatever the text',
    async check(runs) {
      fc.assert(
        fc.property(
          fc.array(fc.array(text, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }),
          (rows) => {
            const parser = new CsvRecordParser();
            const lines = rows
              .map((r) => r.map(quoteCsv).join(','))
              .join('\n')
              .split('\n');
            const items = lines
              .flatMap((l, i) => parser.pushLine(l.replace(/\r$/, ''), i + 1))
              .concat(parser.end());
            const expected = rows.filter((r) => r.map(quoteCsv).join(',') !== '');
            const records = items.filter((i) => i.kind === 'record').map((i) => i.fields);
            // A row whose text holds a bare CR before a break is the one shape lines cannot keep.
            if (rows.some((r) => r.some((f) => f.includes('\r')))) return;
            if (JSON.stringify(records) !== JSON.stringify(expected)) throw new Error('records differ');
          },
        ),
        { numRuns: runs },
      );
    },
  },
  {
    name: 'csv: any lines give records or coded errors, never a throw, lines in order',
    async check(runs) {
      fc.assert(
        fc.property(fc.array(text, { maxLength: 60 }), (lines) => {
          const parser = new CsvRecordParser({ maxLinesPerRecord: 5 });
          const items = lines.flatMap((l, i) => parser.pushLine(l, i + 1)).concat(parser.end());
          let last = 0;
          for (const it of items) {
            if (it.startLine > it.endLine || it.startLine < last) throw new Error('line order');
            if (it.kind === 'error' && it.code !== 'HUB_ERR_CSV_SYNTAX') throw new Error('code');
            last = it.startLine;
          }
        }),
        { numRuns: runs },
      );
    },
  },
  {
    name: 'lines: any chunking gives the same lines, each at its byte offset',
    async check(runs) {
      await fc.assert(
        fc.asyncProperty(fileBytes, cuts, async (bytes, at) => {
          const whole = await collect(splitLines(chunked(bytes, [])));
          const pieces = await collect(splitLines(chunked(bytes, at)));
          if (JSON.stringify(whole) !== JSON.stringify(pieces)) throw new Error('chunking changed the lines');
          for (const l of whole) {
            const there = Buffer.from(bytes.subarray(l.offset, l.offset + l.bytes.length));
            if (!there.equals(l.bytes)) throw new Error(`line ${l.line} is not at offset ${l.offset}`);
            if (l.bytes.includes(0x0a)) throw new Error('a line holds a break');
          }
        }),
        { numRuns: runs },
      );
    },
  },
  {
    name: 'decode: any bytes decode or are reported where the byte-by-byte reference says',
    async check(runs) {
      fc.assert(
        fc.property(fileBytes, fc.constantFrom<Encoding>('utf-8', 'cp932', 'euc-jp'), (bytes, encoding) => {
          const r = decodeBytes(bytes, encoding);
          if ('text' in r) return;
          if (r.invalid.offset < 0 || r.invalid.offset > bytes.length) throw new Error('offset out of range');
          if (encoding === 'euc-jp') return;
          const ref = referenceInvalid(bytes, encoding === 'utf-8' ? 'utf-8' : 'shift_jis');
          if (ref.offset !== r.invalid.offset || ref.hex !== r.invalid.hex)
            throw new Error(`${JSON.stringify(r.invalid)} ≠ reference ${JSON.stringify(ref)}`);
        }),
        { numRuns: runs },
      );
    },
  },
  {
    name: 'decode: well-formed text survives UTF-8 encoding and decoding',
    async check(runs) {
      fc.assert(
        fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (s) => {
          const r = decodeBytes(Buffer.from(s, 'utf8'), 'utf-8');
          if (!('text' in r) || r.text !== s) throw new Error('round trip');
        }),
        { numRuns: runs },
      );
    },
  },
  {
    name: 'fixed-width: any bytes in any chunks give records or rejects, the same ones',
    async check(runs) {
      const layout = catalog.layout('juki-legacy-fixed')!;
      await fc.assert(
        fc.asyncProperty(fileBytes, cuts, async (bytes, at) => {
          const whole = await collect(readFixedWidth(chunked(bytes, []), layout, 'cp932'));
          const pieces = await collect(readFixedWidth(chunked(bytes, at), layout, 'cp932'));
          if (JSON.stringify(whole) !== JSON.stringify(pieces))
            throw new Error('chunking changed the records');
        }),
        { numRuns: runs },
      );
    },
  },
  {
    name: 'xml reader: a certificate with text inserted anywhere is read or refused with a code',
    async check(runs) {
      const adapter = adapters.find((a) => a.manifest.id === 'tenshutsu-xml')!;
      const { readFileSync } = await import('node:fs');
      const valid = readFileSync(
        path.join(root, 'fixtures', 'tenshutsu-xml', 'chigasaki-family.xml'),
        'utf8',
      );
      const insert = fc.oneof(
        text,
        fc.constantFrom(
          '<',
          '&',
          ']]>',
          '<!DOCTYPE x>',
          '&#0;',
          '&#xD800;',
          '</者>',
          '<者>',
          '\u0000',
          '"',
          '<?xml?>',
        ),
      );
      await fc.assert(
        fc.asyncProperty(fc.nat(valid.length), insert, async (at, piece) => {
          const bytes = Buffer.from(valid.slice(0, at) + piece + valid.slice(at));
          try {
            await collect(adapter.read(chunked(bytes, [7, 500]), { fileName: 'x.xml', config: {} }));
          } catch (e) {
            if (!(e instanceof HubError)) throw e;
          }
        }),
        { numRuns: runs },
      );
    },
  },
  {
    name: 'mapping engine: any values for any mapping map, skip or reject, never throw',
    async check(runs) {
      const mappings = catalog.list().map((m) => catalog.get(m.adapter, m.entity)!);
      const anyRecord = Type.Any();
      const check = TypeCompiler.Compile(anyRecord);
      const value = fc.oneof(
        text,
        fc.constantFrom(
          '',
          ' ',
          '0',
          '00000000',
          '令和元年5月1日',
          'S55.4.1',
          '9999999',
          '\u0000',
          '\ud800',
          '２',
          'ｱ',
        ),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.nat(mappings.length - 1),
          fc.array(value, { maxLength: 200 }),
          async (m, values) => {
            const mapping = mappings[m]!;
            const fields = [...mapping.usedFields];
            const record: Record<string, string> = {};
            fields.forEach((f, i) => {
              record[f] = values[i % Math.max(1, values.length)] ?? '';
            });
            const result = mapping.apply(record);
            if (!['record', 'skip', 'reject'].includes(result.kind)) throw new Error(result.kind);
            const mapped = mapItem(
              { kind: 'record', entity: mapping.entity, line: 1, values: record, raw: Buffer.alloc(0) },
              mapping,
              check,
              {
                fields,
                mode: 'full',
                encoding: 'cp932',
                renamed: new Map(),
                known: new Set(fields),
                strictColumns: false,
                warnings: [],
                sources: new Set(),
              },
              catalog,
            );
            if (mapped.kind === 'reject' && !mapped.reject.code.startsWith('HUB_ERR_'))
              throw new Error('code');
          },
        ),
        { numRuns: runs },
      );
    },
  },
];
