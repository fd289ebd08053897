import type { ErrorCode } from '../errors.ts';
import { digitsToAscii, fullWidthAsciiToHalf, trimAll } from '../normalize/width.ts';
import type { Transform } from './schema.ts';

export interface CodeTable {
  name: string;
  codes: Record<string, string | boolean | number>;
  labels?: Record<string, string>;
}

export class TransformError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly params: Record<string, unknown>,
  ) {
    super(code);
  }
}

/** Half-width katakana (with separate ﾞ/ﾟ) to full-width, composed; nothing else changes. */
export function halfKanaToFull(s: string): string {
  return s.replace(/[\uff66-\uff9d][\uff9e\uff9f]?|[\uff61-\uff65\uff9e\uff9f]/g, (m) => m.normalize('NFKC'));
}

/** A kana reading in full width: half-width kana composed, and the space between 氏 and 名 full-width. */
export function fullWidthKana(s: string): string {
  return halfKanaToFull(s).replace(/ /g, '\u3000');
}

export type CompiledTransform = (value: string) => string | boolean | number;

/** Compiles one transform; code tables are looked up once here, not per row. */
export function compileTransform(t: Transform, tables: Map<string, CodeTable>): CompiledTransform {
  if (t === 'trim') return trimAll;
  if (t === 'digits') return digitsToAscii;
  if (t === 'stripLeadingZeros') return (v) => (/^0+\d/.test(v) ? v.replace(/^0+(?=\d)/, '') : v);
  if ('width' in t) return t.width === 'half-ascii' ? fullWidthAsciiToHalf : fullWidthKana;
  if ('zeroPad' in t) {
    const n = t.zeroPad;
    return (v) => (/^\d+$/.test(v) ? v.padStart(n, '0') : v);
  }
  if ('code' in t) {
    const table = tables.get(t.code);
    if (!table) throw new Error(`unknown code table ${t.code}`);
    return (v) => {
      const mapped = table.codes[v];
      if (mapped === undefined)
        throw new TransformError('HUB_ERR_INVALID_CODE', { value: v, table: table.name });
      return mapped;
    };
  }
  if ('pattern' in t) {
    const re = new RegExp(t.pattern, 'u');
    return (v) => {
      if (!re.test(v)) throw new TransformError('HUB_ERR_INVALID_FORMAT', { value: v, expected: t.pattern });
      return v;
    };
  }
  if ('split' in t) {
    const { separator, index } = t.split;
    return (v) => v.split(separator)[index] ?? '';
  }
  if ('nullIf' in t) {
    const none = t.nullIf;
    return (v) => (v === none ? '' : v);
  }
  const max = t.maxLength;
  return (v) => {
    if ([...v].length > max)
      throw new TransformError('HUB_ERR_INVALID_FORMAT', { value: v, expected: `${max}文字以内` });
    return v;
  };
}
