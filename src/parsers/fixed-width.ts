import { type Static, Type } from '@sinclair/typebox';
import { errorMessage } from '../errors.ts';
import type { ReadItem } from '../sdk/adapter.ts';
import { decodeCp932Field } from './cp932-fields.ts';
import { decodeBytes, type Encoding } from './decode.ts';
import { encodeCp932, type GaijiReverse } from './encode.ts';
import { splitLines } from './lines.ts';

export const FixedField = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    start: Type.Integer({ minimum: 1, description: '1-based byte position' }),
    length: Type.Integer({ minimum: 1, description: 'bytes' }),
    pad: Type.Optional(
      Type.Union([Type.Literal('half'), Type.Literal('full'), Type.Literal('zero')], {
        description: 'how the writer pads: half-width spaces (default), full-width spaces, leading zeros',
      }),
    ),
  },
  { $id: 'FixedField', additionalProperties: false },
);
export type FixedField = Static<typeof FixedField>;

export const FixedRecordType = Type.Object(
  {
    code: Type.String({ minLength: 1, description: 'the value of the type field' }),
    fields: Type.Array(Type.Ref(FixedField), { minItems: 1 }),
  },
  { $id: 'FixedRecordType', additionalProperties: false },
);

/** A fixed-width file layout, declared in YAML so that another vendor's layout needs no code. */
export const FixedLayoutFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.String(),
    description: Type.Optional(Type.String()),
    encoding: Type.Union([Type.Literal('cp932'), Type.Literal('euc-jp'), Type.Literal('utf-8')]),
    recordLength: Type.Integer({ minimum: 1 }),
    recordSeparator: Type.Union([Type.Literal('crlf'), Type.Literal('lf'), Type.Literal('none')], {
      description: 'crlf or lf after each record, or none (records cut by length)',
    }),
    typeField: Type.Object(
      { start: Type.Integer({ minimum: 1 }), length: Type.Integer({ minimum: 1 }) },
      { additionalProperties: false },
    ),
    records: Type.Record(Type.String({ pattern: '^(header|data|trailer)$' }), Type.Ref(FixedRecordType)),
  },
  { $id: 'FixedLayoutFile', additionalProperties: false },
);
export type FixedLayoutFile = Static<typeof FixedLayoutFile>;

export type FixedLayout = FixedLayoutFile & { file: string };

/** Checks a layout once: fields in order, no overlap, no gap, total = record length. */
export function layoutProblems(layout: FixedLayoutFile): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  for (const [type, rec] of Object.entries(layout.records)) {
    let next = 1;
    const names = new Set<string>();
    rec.fields.forEach((f, i) => {
      if (names.has(f.name))
        out.push({ path: ['records', type, 'fields', i, 'name'], message: `field ${f.name} twice` });
      names.add(f.name);
      if (f.start < next) {
        out.push({
          path: ['records', type, 'fields', i, 'start'],
          message: `${f.name} starts at ${f.start}, overlapping bytes up to ${next - 1}`,
        });
      } else if (f.start > next) {
        out.push({
          path: ['records', type, 'fields', i, 'start'],
          message: `bytes ${next}–${f.start - 1} before ${f.name} are not declared`,
        });
      }
      next = f.start + f.length;
    });
    if (next - 1 !== layout.recordLength) {
      out.push({
        path: ['records', type, 'fields'],
        message: `fields cover ${next - 1} bytes; the record length is ${layout.recordLength}`,
      });
    }
  }
  const t = layout.typeField;
  if (t.start + t.length - 1 > layout.recordLength)
    out.push({ path: ['typeField'], message: 'outside the record' });
  return out;
}

/** A record of one of the layout's types, or a reject as every reader yields it. */
export type FixedItem =
  | { kind: 'record'; type: string; line: number; values: Record<string, string>; raw: Buffer }
  | (Extract<ReadItem, { kind: 'reject' }> & { raw: Buffer });

/** Trims half-width (0x20) and full-width (U+3000) padding at both ends. */
function trimPadding(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && (s.charCodeAt(start) === 0x20 || s.charCodeAt(start) === 0x3000)) start++;
  while (end > start && (s.charCodeAt(end - 1) === 0x20 || s.charCodeAt(end - 1) === 0x3000)) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** Whether the encoding decodes every byte 00–7F to the same code point (checked once). */
const asciiIdentity = new Map<Encoding, boolean>();
function decodesAsciiAsIs(encoding: Encoding): boolean {
  let same = asciiIdentity.get(encoding);
  if (same === undefined) {
    const ascii = Uint8Array.from({ length: 0x80 }, (_, i) => i);
    const d = decodeBytes(ascii, encoding);
    same = 'text' in d && d.text === Buffer.from(ascii).toString('latin1');
    asciiIdentity.set(encoding, same);
  }
  return same;
}

/**
 * The quick decoding of one field's bytes, or undefined where only `decodeBytes` can say (and
 * then report invalid bytes): a field of bytes below 0x80 (codes, dates, numbers, padding) as
 * Latin-1 where the encoding maps them to themselves; other CP932 fields by its table.
 */
function quickDecoder(encoding: Encoding): (bytes: Buffer, start: number, end: number) => string | undefined {
  const other = encoding === 'cp932' ? decodeCp932Field : () => undefined;
  if (!decodesAsciiAsIs(encoding)) return other;
  return (bytes, start, end) => {
    for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return other(bytes, start, end);
    return bytes.toString('latin1', start, end);
  };
}

/**
 * Reads fixed-width records by bytes: records are cut on line breaks or by length, fields are
 * sliced by byte offset and only then decoded, so a field's width never depends on its
 * characters. A record of the wrong length, an unknown type or bytes invalid in the encoding
 * give a reject; reading goes on with the next record.
 */
export async function* readFixedWidth(
  input: AsyncIterable<Uint8Array>,
  layout: FixedLayoutFile,
  encoding: Encoding,
): AsyncGenerator<FixedItem> {
  const byCode = new Map(Object.entries(layout.records).map(([type, r]) => [r.code, { type, ...r }]));
  const t = layout.typeField;
  const quick = quickDecoder(encoding);
  const source =
    layout.recordSeparator === 'none' ? fixedLengthRecords(input, layout.recordLength) : splitLines(input);
  for await (const rec of source) {
    if (rec.bytes.length === 0 && layout.recordSeparator !== 'none') continue;
    const line = rec.line;
    // A copy: a record kept as a reject's raw bytes must not hold the whole read chunk.
    const bytes = layout.recordSeparator === 'none' ? rec.bytes : Buffer.from(rec.bytes);
    if (bytes.length !== layout.recordLength) {
      yield {
        kind: 'reject',
        line,
        code: 'HUB_ERR_RECORD_LENGTH',
        message: errorMessage('HUB_ERR_RECORD_LENGTH', {
          actual: bytes.length,
          expected: layout.recordLength,
        }),
        raw: bytes,
      };
      continue;
    }
    const code = bytes.subarray(t.start - 1, t.start - 1 + t.length).toString('latin1');
    const type = byCode.get(code);
    if (!type) {
      yield {
        kind: 'reject',
        line,
        column: t.start,
        code: 'HUB_ERR_RECORD_TYPE',
        message: errorMessage('HUB_ERR_RECORD_TYPE', { code }),
        raw: bytes,
      };
      continue;
    }
    const values: Record<string, string> = {};
    let bad: FixedItem | undefined;
    for (const f of type.fields) {
      const start = f.start - 1;
      const text = quick(bytes, start, start + f.length);
      if (text !== undefined) {
        values[f.name] = trimPadding(text);
        continue;
      }
      const decoded = decodeBytes(bytes.subarray(start, start + f.length), encoding);
      if ('invalid' in decoded) {
        bad = {
          kind: 'reject',
          line,
          column: f.start + decoded.invalid.offset,
          field: f.name,
          code: 'HUB_ERR_INVALID_BYTES',
          message: `${f.name}: ${errorMessage('HUB_ERR_INVALID_BYTES', { encoding, offset: f.start - 1 + decoded.invalid.offset, hex: decoded.invalid.hex })}`,
          raw: bytes,
        };
        break;
      }
      values[f.name] = trimPadding(decoded.text);
    }
    yield bad ?? { kind: 'record', type: type.type, line, values, raw: bytes };
  }
}

async function* fixedLengthRecords(
  input: AsyncIterable<Uint8Array>,
  recordLength: number,
): AsyncGenerator<{ line: number; bytes: Buffer }> {
  let carry = Buffer.alloc(0);
  let n = 0;
  for await (const chunk of input) {
    carry = carry.length ? Buffer.concat([carry, chunk]) : Buffer.from(chunk);
    while (carry.length >= recordLength) {
      yield { line: ++n, bytes: carry.subarray(0, recordLength) };
      carry = carry.subarray(recordLength);
    }
  }
  if (carry.length > 0 && !(carry.length === 1 && carry[0] === 0x1a)) yield { line: ++n, bytes: carry };
}

/**
 * Writes one record of a layout: each field encoded (CP932 with 外字 by table or by their PUA
 * code point), then padded to its byte width. A value that does not fit throws.
 */
export function writeFixedRecord(
  layout: FixedLayoutFile,
  type: string,
  values: Record<string, string>,
  gaiji?: GaijiReverse,
): Buffer {
  const rec = layout.records[type];
  if (!rec) throw new Error(`layout ${layout.name} has no ${type} record`);
  const parts: Buffer[] = [];
  for (const f of rec.fields) {
    const value = values[f.name] ?? '';
    let bytes = layout.encoding === 'cp932' ? encodeCp932(value, gaiji) : Buffer.from(value, 'utf8');
    if (bytes.length > f.length)
      throw new Error(`${f.name}: ${bytes.length} bytes do not fit in ${f.length}`);
    const missing = f.length - bytes.length;
    if (f.pad === 'zero') bytes = Buffer.concat([Buffer.alloc(missing, 0x30), bytes]);
    else if (f.pad === 'full' && layout.encoding === 'cp932') {
      const full = Buffer.alloc(missing - (missing % 2));
      for (let i = 0; i < full.length; i += 2) full.set([0x81, 0x40], i);
      bytes = Buffer.concat([bytes, full, Buffer.alloc(missing % 2, 0x20)]);
    } else bytes = Buffer.concat([bytes, Buffer.alloc(missing, 0x20)]);
    parts.push(bytes);
  }
  const record = Buffer.concat(parts);
  const t = layout.typeField;
  Buffer.from(rec.code, 'latin1').copy(record, t.start - 1);
  return record;
}
