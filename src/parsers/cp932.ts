/**
 * CP932 (Windows-31J) tables built once from Node's own Shift_JIS decoder, plus the
 * user-defined area F040–F9FC ↔ U+E000–U+E757 (1,880 外字 cells) by formula. iconv-lite 0.7.3
 * loses F941–F9FC and encodes PUA as `?`, so the hub encodes with its own table.
 */

/** U+E000 + index for a CP932 user-defined code (lead F0–F9, trail 40–7E, 80–FC). */
export function cp932UserDefinedToPua(lead: number, trail: number): number {
  return 0xe000 + (lead - 0xf0) * 188 + trail - (trail < 0x7f ? 0x40 : 0x41);
}

/** The CP932 bytes of a PUA code point U+E000–U+E757, or undefined outside the area. */
export function puaToCp932UserDefined(cp: number): [number, number] | undefined {
  if (cp < 0xe000 || cp > 0xe757) return undefined;
  const i = cp - 0xe000;
  const lead = 0xf0 + Math.floor(i / 188);
  const t = i % 188;
  return [lead, t < 0x3f ? t + 0x40 : t + 0x41];
}

export function isCp932UserDefinedLead(b: number): boolean {
  return b >= 0xf0 && b <= 0xf9;
}

export function isCp932Trail(b: number): boolean {
  return (b >= 0x40 && b <= 0x7e) || (b >= 0x80 && b <= 0xfc);
}

let encodeTable: Map<number, number> | undefined;

/**
 * Code point → CP932 code (one byte < 0x100, else two bytes). Where several codes decode to the
 * same character (NEC row 13 and JIS row 2, IBM extensions at FA40– and the NEC-selected copies
 * at ED40–EEFC), the lowest code wins except that ED40–EEFC is never chosen: the WHATWG and
 * Windows choice.
 */
export function cp932EncodeTable(): Map<number, number> {
  if (encodeTable) return encodeTable;
  const table = new Map<number, number>();
  for (let b = 0; b < 0x80; b++) table.set(b, b);
  const decoder = new TextDecoder('shift_jis', { fatal: true });
  for (let b = 0xa1; b <= 0xdf; b++) table.set(decoder.decode(Uint8Array.of(b)).codePointAt(0)!, b);
  const nec: [number, number][] = [];
  for (let lead = 0x81; lead <= 0xfc; lead++) {
    if (lead >= 0xa0 && lead <= 0xdf) continue;
    if (isCp932UserDefinedLead(lead)) continue;
    for (let trail = 0x40; trail <= 0xfc; trail++) {
      if (trail === 0x7f) continue;
      let text: string;
      try {
        text = decoder.decode(Uint8Array.of(lead, trail));
      } catch {
        continue;
      }
      const cp = text.codePointAt(0)!;
      const code = (lead << 8) | trail;
      if (lead === 0xed || lead === 0xee) nec.push([cp, code]);
      else if (!table.has(cp)) table.set(cp, code);
    }
  }
  for (const [cp, code] of nec) if (!table.has(cp)) table.set(cp, code);
  encodeTable = table;
  return table;
}

/** Every character CP932 can encode, 外字 included (for tests and tables). */
export function cp932Repertoire(): string[] {
  const chars = [...cp932EncodeTable().keys()].map((cp) => String.fromCodePoint(cp));
  for (let cp = 0xe000; cp <= 0xe757; cp++) chars.push(String.fromCodePoint(cp));
  return chars;
}
