import { isUtf8 } from 'node:buffer';

/**
 * Character decoding for core-system exports: UTF-8 (with or without BOM), CP932 (Shift_JIS
 * with the user-defined area F040–F9FC → U+E000–U+E757) and EUC-JP. Decoding is fatal: a byte
 * sequence that is not valid in the encoding is reported with its offset and hex, never turned
 * into U+FFFD.
 */
export type Encoding = 'utf-8' | 'cp932' | 'euc-jp';

const aliases: Record<string, Encoding> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'utf-8-bom': 'utf-8',
  cp932: 'cp932',
  'windows-31j': 'cp932',
  shift_jis: 'cp932',
  'shift-jis': 'cp932',
  sjis: 'cp932',
  ms932: 'cp932',
  'euc-jp': 'euc-jp',
  eucjp: 'euc-jp',
  'euc-jp-ms': 'euc-jp',
};

/** Normalises an encoding name from configuration or a query; undefined when unsupported. */
export function encodingFromName(name: string): Encoding | undefined {
  return aliases[name.trim().toLowerCase()];
}

function whatwgLabel(encoding: Encoding): string {
  return encoding === 'cp932' ? 'shift_jis' : encoding;
}

export function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/**
 * Node 20's ICU table for shift_jis swaps three control codes (0x1A → U+001C, 0x1C → U+007F,
 * 0x7F → U+001A); WHATWG maps them to themselves. Undo the swap so control bytes decode to
 * themselves.
 */
const icuControlFix: Record<string, string> = { '\u001c': '\u001a', '\u007f': '\u001c', '\u001a': '\u007f' };
let sjisSwapsControls: boolean | undefined;
function fixSjisControls(text: string): string {
  sjisSwapsControls ??= new TextDecoder('shift_jis').decode(Uint8Array.of(0x1a)) === '\u001c';
  return sjisSwapsControls ? text.replace(/[\u001a\u001c\u007f]/g, (c) => icuControlFix[c]!) : text;
}

export interface InvalidBytes {
  /** Byte offset of the first byte that cannot start or continue a character. */
  offset: number;
  /** The offending bytes in hex, e.g. `82 20`. */
  hex: string;
}

/** Decodes a complete byte string, or reports where it is invalid. */
export function decodeBytes(
  bytes: Uint8Array,
  encoding: Encoding,
): { text: string } | { invalid: InvalidBytes } {
  if (encoding === 'euc-jp') return decodeEucJpMs(bytes);
  try {
    const text = sharedDecoder(encoding).decode(bytes);
    return { text: encoding === 'cp932' ? fixSjisControls(text) : text };
  } catch {
    // A decoder that threw is not reused: its state after the error is not specified.
    decoders.delete(encoding);
    return { invalid: findInvalid(bytes, encoding) };
  }
}

/**
 * One fatal decoder per encoding for whole-input (non-streaming) calls: building a TextDecoder
 * costs more than decoding a short field with it.
 */
const decoders = new Map<Encoding, { decode(input: Uint8Array): string }>();
function sharedDecoder(encoding: Encoding): { decode(input: Uint8Array): string } {
  let d = decoders.get(encoding);
  if (!d) {
    d = new TextDecoder(whatwgLabel(encoding), { fatal: true, ignoreBOM: true });
    decoders.set(encoding, d);
  }
  return d;
}

/**
 * EUC-JP with the EUC-JP-MS user-defined area F5A1–FEFE → U+E000–U+E3AB (WHATWG's decoder
 * rejects these bytes); the rest is decoded by Node's EUC-JP decoder.
 */
function decodeEucJpMs(bytes: Uint8Array): { text: string } | { invalid: InvalidBytes } {
  const decoder = new TextDecoder('euc-jp', { fatal: true, ignoreBOM: true });
  let text = '';
  let start = 0;
  const flush = (end: number): InvalidBytes | undefined => {
    if (end === start) return undefined;
    const part = bytes.subarray(start, end);
    try {
      text += decoder.decode(part);
      return undefined;
    } catch {
      const inv = findInvalid(part, 'euc-jp');
      return { offset: inv.offset + start, hex: inv.hex };
    }
  };
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const t = bytes[i + 1];
    if (b < 0x80) i++;
    else if (b === 0x8f) i += 3;
    else if (b >= 0xf5 && b <= 0xfe && t !== undefined && t >= 0xa1 && t <= 0xfe) {
      const bad = flush(i);
      if (bad) return { invalid: bad };
      text += String.fromCharCode(0xe000 + (b - 0xf5) * 94 + (t - 0xa1));
      i += 2;
      start = i;
    } else i += 2;
  }
  const bad = flush(bytes.length);
  return bad ? { invalid: bad } : { text };
}

/**
 * Where a byte string stops being valid: the first byte of the character that cannot be
 * completed, and the bytes from there to the failing one (at most four). A bisection on
 * prefixes finds the neighbourhood (native UTF-8 validation, or streaming decodes), the last
 * character boundary before it is confirmed by a whole decode, and from there bytes are fed one
 * at a time: a bad byte at the end of a 20 MB line costs a few dozen native passes, not one
 * call per byte.
 */
function findInvalid(bytes: Uint8Array, encoding: Encoding): InvalidBytes {
  const label = whatwgLabel(encoding);
  const decodes = (end: number, stream: boolean): boolean => {
    try {
      new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, end), { stream });
      return true;
    } catch {
      return false;
    }
  };
  // Whether [0, end) holds no invalid byte (a character cut at `end` does not count).
  const prefixOk = (end: number): boolean => {
    if (encoding !== 'utf-8') return decodes(end, true);
    let cut = end;
    while (cut > 0 && end - cut < 3 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
    return isUtf8(bytes.subarray(0, cut));
  };
  let lo = 0;
  let hi = bytes.length;
  if (prefixOk(hi)) lo = hi;
  else
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (prefixOk(mid)) lo = mid;
      else hi = mid;
    }
  // The last character boundary at or before the neighbourhood: [0, from) decodes whole.
  let from = 0;
  for (let k = lo; k >= Math.max(0, lo - 4); k--) {
    if (encoding === 'utf-8' ? isUtf8(bytes.subarray(0, k)) : decodes(k, false)) {
      from = k;
      break;
    }
  }
  const decoder = new TextDecoder(label, { fatal: true, ignoreBOM: true });
  let start = from;
  for (let i = from; i < bytes.length; i++) {
    try {
      if (decoder.decode(bytes.subarray(i, i + 1), { stream: true }).length > 0) start = i + 1;
    } catch {
      return { offset: start, hex: hex(bytes.subarray(start, Math.min(i + 1, start + 4))) };
    }
  }
  return { offset: start, hex: hex(bytes.subarray(start, Math.min(bytes.length, start + 4))) };
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

function decodesAs(sample: Uint8Array, encoding: Encoding): string | undefined {
  const r = decodeBytes(sample, encoding);
  return 'text' in r ? r.text : undefined;
}

/** How Japanese a decoded text looks: kana and kanji count, half-width kana and PUA count against. */
function score(text: string): number {
  let s = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0x4e00 && c <= 0x9fff) || c === 0x3000) s += 2;
    else if (c >= 0xff61 && c <= 0xff9f) s -= 1;
    else if (c >= 0xe000 && c <= 0xf8ff) s -= 2;
  }
  return s;
}

export type Detection = { encoding: Encoding; bom: boolean } | { invalid: InvalidBytes };

/**
 * Detects the encoding of a file from its first bytes. `complete` says the sample is the whole
 * file (otherwise a character cut at the end of the sample is allowed).
 */
export function detectEncoding(head: Uint8Array, complete: boolean): Detection {
  if (hasUtf8Bom(head)) return { encoding: 'utf-8', bom: true };
  // A sample cut inside a character must not count against an encoding: end it at a line.
  const lastLf = complete ? -1 : head.lastIndexOf(0x0a);
  const sample = lastLf > 0 ? head.subarray(0, lastLf) : head;
  if (decodesAs(sample, 'utf-8') !== undefined) return { encoding: 'utf-8', bom: false };
  const sjis = decodesAs(sample, 'cp932');
  const euc = decodesAs(sample, 'euc-jp');
  if (sjis !== undefined && euc !== undefined) {
    return { encoding: score(euc) > score(sjis) ? 'euc-jp' : 'cp932', bom: false };
  }
  if (sjis !== undefined) return { encoding: 'cp932', bom: false };
  if (euc !== undefined) return { encoding: 'euc-jp', bom: false };
  return mostlyDecodes(sample) ?? { invalid: findInvalid(sample, 'utf-8') };
}

/**
 * A sample that no encoding decodes whole may still be one file in one encoding with a few bad
 * rows (a NUL-free but broken sequence, an overlong form, a lone surrogate written as UTF-8):
 * the encoding that decodes the first line and all but a few lines (at most 3, or 1%) is the
 * file's, and the bad lines become rejects of their rows instead of failing the file. Text in
 * another encoding fails on most lines with Japanese in them, so it is not taken for this.
 */
function mostlyDecodes(sample: Uint8Array): Detection | undefined {
  const lines: Uint8Array[] = [];
  for (let start = 0; start < sample.length; ) {
    const lf = sample.indexOf(0x0a, start);
    const end = lf === -1 ? sample.length : lf;
    lines.push(sample.subarray(start, end));
    start = end + 1;
  }
  const allowed = Math.max(3, Math.floor(lines.length / 100));
  let best: { encoding: Encoding; bad: number } | undefined;
  for (const encoding of ['utf-8', 'cp932', 'euc-jp'] as const) {
    if (lines.length < 2 || decodesAs(lines[0]!, encoding) === undefined) continue;
    const bad = lines.filter((l) => decodesAs(l, encoding) === undefined).length;
    if (bad < lines.length - 1 && (!best || bad < best.bad)) best = { encoding, bad };
  }
  return best && best.bad <= allowed ? { encoding: best.encoding, bom: false } : undefined;
}
