import type { ErrorCode } from '../errors.ts';
import { digitsToAscii, fullWidthAsciiToHalf, trimAll } from '../normalize/width.ts';
import type { Transform } from './schema.ts';

export interface CodeTable {
  name: string;
  /** The table as staff know it, for messages. */
  title?: string;
  codes: Record<string, string | boolean | number>;
  labels?: Record<string, string>;
  /** Other spellings (男, 日本人, 有) → the code they stand for. */
  aliases?: Record<string, string>;
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
  if (!hasCodeIn(s, 0xff61, 0xff9f)) return s;
  return s.replace(/[\uff66-\uff9d][\uff9e\uff9f]?|[\uff61-\uff65\uff9e\uff9f]/g, (m) => m.normalize('NFKC'));
}

/** A kana reading in full width: half-width kana composed, and the space between 氏 and 名 full-width. */
export function fullWidthKana(s: string): string {
  const full = halfKanaToFull(s);
  return hasCodeIn(full, 0x20, 0x20) ? full.replace(/ /g, '\u3000') : full;
}

/** True when a character of `s` lies in `from`–`to` (UTF-16 code units). */
function hasCodeIn(s: string, from: number, to: number): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= from && c <= to) return true;
  }
  return false;
}

/** True when `s` holds e or E, half or full width: without one it is not in exponent notation. */
function hasExponentMark(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x65 || c === 0x45 || c === 0xff45 || c === 0xff25) return true;
  }
  return false;
}

/**
 * One compiled transform. `flag` notes something for review on the record without rejecting it
 * (the caller adds the field it is about).
 */
export type CompiledTransform = (value: string, flag: (code: string) => void) => string | boolean | number;

/** `9.99E+10`: a spreadsheet turned the number into a float and its digits are gone. */
const EXPONENT = /^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$/;

/** Full-width digits to ASCII; a number in exponent notation is its own reject. */
export function digits(v: string): string {
  const ascii = digitsToAscii(v);
  if (hasExponentMark(ascii) && EXPONENT.test(fullWidthAsciiToHalf(ascii)))
    throw new TransformError('HUB_ERR_EXPONENT_NOTATION', { value: v });
  return ascii;
}

const SEVEN_DIGITS = /^\d{7}$/;

/** 郵便番号 as written: `999-0001`, `〒９９９－０００１`, `999 0001` → `9990001`. */
export function postalCode(v: string): string {
  if (SEVEN_DIGITS.test(v)) return v;
  const folded = v
    .normalize('NFKC')
    .replace(/^〒/, '')
    .replace(/[\s\u2010-\u2015\u2212\u30fc\uff70-]/g, '');
  if (EXPONENT.test(folded)) throw new TransformError('HUB_ERR_EXPONENT_NOTATION', { value: v });
  if (!/^\d{7}$/.test(folded))
    throw new TransformError('HUB_ERR_INVALID_FORMAT', {
      value: v,
      expected: '7桁の郵便番号。999-0001・〒９９９－０００１ も可',
    });
  return folded;
}

/** The code a table knows a value by: the code itself, or one of its declared aliases. */
export function lookupCode(table: CodeTable, v: string): string | boolean | number | undefined {
  const direct = table.codes[v];
  if (direct !== undefined) return direct;
  const alias = table.aliases?.[v] ?? table.aliases?.[v.normalize('NFKC')];
  return alias === undefined ? undefined : table.codes[alias];
}

/** Compiles one transform; code tables are looked up once here, not per row. */
export function compileTransform(t: Transform, tables: Map<string, CodeTable>): CompiledTransform {
  if (t === 'trim') return trimAll;
  if (t === 'digits') return digits;
  if (t === 'postalCode') return postalCode;
  if (t === 'stripLeadingZeros') return (v) => (/^0+\d/.test(v) ? v.replace(/^0+(?=\d)/, '') : v);
  if ('restoreZeros' in t) {
    const n = t.restoreZeros;
    return (v, flag) => {
      if (!/^\d+$/.test(v) || v.length >= n) return v;
      flag('ZEROS_RESTORED');
      return v.padStart(n, '0');
    };
  }
  if ('width' in t) return t.width === 'half-ascii' ? fullWidthAsciiToHalf : fullWidthKana;
  if ('zeroPad' in t) {
    const n = t.zeroPad;
    return (v) => (/^\d+$/.test(v) ? v.padStart(n, '0') : v);
  }
  if ('code' in t) {
    const table = tables.get(t.code);
    if (!table) throw new Error(`unknown code table ${t.code}`);
    const keep = t.unknown === 'review';
    return (v, flag) => {
      const mapped = lookupCode(table, v);
      if (mapped !== undefined) return mapped;
      if (keep) {
        flag('UNKNOWN_CODE');
        return v;
      }
      throw new TransformError('HUB_ERR_INVALID_CODE', { value: v, table: table.title ?? table.name });
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
