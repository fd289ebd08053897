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

function findInvalid(bytes: Uint8Array, encoding: Encoding): InvalidBytes {
  const decoder = new TextDecoder(whatwgLabel(encoding), { fatal: true, ignoreBOM: true });
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    try {
      const out = decoder.decode(bytes.subarray(i, i + 1), { stream: true });
      if (out.length > 0) start = i + 1;
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
  return { invalid: findInvalid(sample, 'utf-8') };
}
