import { decodeBytes } from './decode.ts';

/**
 * Decoding of short CP932 byte ranges (fixed-width fields) by a table: every single byte and
 * every two-byte code that `decodeBytes` accepts, decoded once by `decodeBytes` itself, so a
 * field decodes to exactly what `decodeBytes` gives for its bytes (外字 F040–F9FC → PUA, control
 * bytes as themselves) at a fraction of a decoder call's cost.
 */
const NONE = 0xffff;
let table: Uint16Array | undefined;
const out = new Uint16Array(4096);

function buildTable(): Uint16Array {
  const t = new Uint16Array(0x10000).fill(NONE);
  const one = (bytes: number[]) => {
    const d = decodeBytes(Uint8Array.from(bytes), 'cp932');
    // CP932 decodes every code to one BMP character; anything else stays with decodeBytes.
    return 'text' in d && d.text.length === 1 ? d.text.charCodeAt(0) : NONE;
  };
  for (let b = 0; b <= 0xff; b++) t[b] = one([b]);
  for (let lead = 0x81; lead <= 0xfc; lead++) {
    if (t[lead] !== NONE) continue;
    for (let trail = 0x40; trail <= 0xfc; trail++) t[(lead << 8) | trail] = one([lead, trail]);
  }
  return t;
}

/**
 * The text of bytes `start`–`end` (exclusive), or undefined when a byte sequence there is not in
 * the table (invalid, or a character cut at the end): the caller then asks `decodeBytes`, which
 * says where and why.
 */
export function decodeCp932Field(bytes: Uint8Array, start: number, end: number): string | undefined {
  table ??= buildTable();
  const t = table;
  if (end - start > out.length) return undefined;
  let n = 0;
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    const single = t[b]!;
    if (single !== NONE) {
      out[n++] = single;
      i++;
      continue;
    }
    if (i + 1 >= end) return undefined;
    const pair = t[(b << 8) | bytes[i + 1]!]!;
    if (pair === NONE) return undefined;
    out[n++] = pair;
    i += 2;
  }
  return String.fromCharCode.apply(null, out.subarray(0, n) as unknown as number[]);
}
