import { errorMessage, InputError } from '../errors.ts';
import { trimAll } from '../normalize/width.ts';
import type { ReadContext, ReadItem } from '../sdk/adapter.ts';
import { CsvRecordParser } from './csv.ts';
import { decodeBytes, detectEncoding, type Encoding } from './decode.ts';
import { peek, type RawLine, splitLines } from './lines.ts';
import { recordValuesOf } from './record-values.ts';

export interface DelimitedOptions {
  entity: string;
  delimiter?: string;
  /** Bytes read ahead to detect the encoding. */
  detectBytes?: number;
  /** Decides full or delta from the file name when the context does not say. */
  modeFromName?: (fileName: string) => 'full' | 'delta';
}

/**
 * Reads a delimited text file with a header row: detects (or takes) the encoding, decodes each
 * physical line on its own so that an invalid byte costs one row, parses RFC 4180 records and
 * zips them with the header. Throws an InputError for a file that cannot be read as a whole.
 */
export async function* readDelimited(
  input: AsyncIterable<Uint8Array>,
  context: ReadContext,
  options: DelimitedOptions,
): AsyncGenerator<ReadItem> {
  const { head, complete, stream } = await peek(input, options.detectBytes ?? 256 * 1024);
  if (head.length === 0 || (complete && isOnlyEof(head))) {
    throw new InputError('HUB_ERR_EMPTY_FILE', { line: 0 });
  }
  let encoding: Encoding;
  let detected = false;
  if (context.encoding) {
    encoding = context.encoding;
  } else {
    const d = detectEncoding(head, complete);
    if ('invalid' in d) {
      throw new InputError(
        'HUB_ERR_ENCODING_UNDETECTED',
        { line: lineAt(head, d.invalid.offset) },
        { ...d.invalid },
      );
    }
    encoding = d.encoding;
    detected = true;
  }

  const parser = new CsvRecordParser({ delimiter: options.delimiter ?? ',' });
  const rawByLine = new Map<number, Buffer>();
  let header: string[] | undefined;
  let valuesOf: ((fields: readonly string[]) => Record<string, string>) | undefined;
  let records = 0;
  let rejects = 0;

  const rawOf = (start: number, end: number): Buffer => {
    const parts: Buffer[] = [];
    for (let l = start; l <= end; l++) {
      const b = rawByLine.get(l);
      if (b) parts.push(b);
      rawByLine.delete(l);
    }
    return parts.length === 1
      ? parts[0]!
      : Buffer.concat(parts.flatMap((p, i) => (i ? [Buffer.of(0x0a), p] : [p])));
  };

  function* handle(items: ReturnType<CsvRecordParser['pushLine']>): Generator<ReadItem> {
    for (const item of items) {
      if (item.kind === 'error') {
        rejects++;
        yield {
          kind: 'reject',
          line: item.startLine,
          column: item.column,
          ...(header?.[item.column - 1] ? { field: header[item.column - 1] } : {}),
          code: item.code,
          message: item.message,
          raw: rawOf(item.startLine, item.endLine),
        };
        continue;
      }
      if (!header) {
        rawOf(item.startLine, item.endLine);
        header = item.fields.map((f, i) => (i === 0 ? f.replace(/^\ufeff/, '') : f)).map(trimAll);
        const seen = new Set<string>();
        for (const [i, name] of header.entries()) {
          if (seen.has(name))
            throw new InputError(
              'HUB_ERR_DUPLICATE_COLUMN',
              { line: item.startLine, column: i + 1 },
              { column: name },
            );
          seen.add(name);
        }
        yield {
          kind: 'meta',
          encoding,
          encodingDetected: detected,
          mode: context.mode ?? options.modeFromName?.(context.fileName) ?? 'full',
          fields: header,
        };
        continue;
      }
      const raw = rawOf(item.startLine, item.endLine);
      if (item.fields.length !== header.length) {
        rejects++;
        yield {
          kind: 'reject',
          line: item.startLine,
          column: Math.min(item.fields.length, header.length + 1),
          code: 'HUB_ERR_COLUMN_COUNT',
          message: errorMessage('HUB_ERR_COLUMN_COUNT', {
            actual: item.fields.length,
            expected: header.length,
          }),
          raw,
        };
        continue;
      }
      // Nothing inherited: a column named `__proto__` is kept as a value like any other.
      valuesOf ??= recordValuesOf(header);
      const values = valuesOf(item.fields);
      records++;
      yield { kind: 'record', entity: options.entity, line: item.startLine, values, raw };
    }
  }

  for await (const raw of splitLines(stream) as AsyncIterable<RawLine>) {
    const decoded = decodeBytes(raw.bytes, encoding);
    if ('invalid' in decoded) {
      if (!header) {
        throw new InputError('HUB_ERR_INVALID_BYTES', { line: raw.line }, { encoding, ...decoded.invalid });
      }
      rejects++;
      yield {
        kind: 'reject',
        line: raw.line,
        code: 'HUB_ERR_INVALID_BYTES',
        message: errorMessage('HUB_ERR_INVALID_BYTES', { encoding, ...decoded.invalid }),
        raw: raw.bytes,
      };
      // Keep the record parser in step: the lost line counts as an empty one.
      yield* handle(parser.pushLine('', raw.line));
      continue;
    }
    rawByLine.set(raw.line, Buffer.from(raw.bytes));
    yield* handle(parser.pushLine(decoded.text, raw.line));
  }
  yield* handle(parser.end());
  if (!header) throw new InputError('HUB_ERR_EMPTY_FILE', { line: 0 });
  if (records === 0 && rejects === 0) throw new InputError('HUB_ERR_NO_RECORDS', { line: 1 });
}

function isOnlyEof(bytes: Buffer): boolean {
  return [...bytes].every((b) => b === 0x1a || b === 0x0a || b === 0x0d);
}

function lineAt(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}
