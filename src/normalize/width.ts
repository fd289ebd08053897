/*
 * These run on every value of every row of an import: each first looks for a character it
 * would change (a loop over char codes, no regular expression) and returns its input when there
 * is none, which is nearly always.
 */

/** Full-width digits ０-９ to ASCII; everything else unchanged. */
export function digitsToAscii(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xff10 && c <= 0xff19) return s.replace(/[０-９]/g, fullToHalf);
  }
  return s;
}

function fullToHalf(c: string): string {
  return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
}

/** Full-width ASCII variants (U+FF01–FF5E) and the ideographic space to ASCII. */
export function fullWidthAsciiToHalf(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0xff01 && c <= 0xff5e) || c === 0x3000) {
      return s.replace(/[！-～]/g, fullToHalf).replace(/\u3000/g, ' ');
    }
  }
  return s;
}

/** True for the characters `\s` matches (ECMAScript WhiteSpace and LineTerminator), U+3000 among them. */
export function isSpaceCode(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Trims ASCII and full-width (U+3000) spaces at both ends. */
export function trimAll(s: string): string {
  const n = s.length;
  if (n === 0 || (!isSpaceCode(s.charCodeAt(0)) && !isSpaceCode(s.charCodeAt(n - 1)))) return s;
  return s.replace(/^[\s\u3000]+|[\s\u3000]+$/g, '');
}

/** True when `s` holds something besides spaces (`trimAll(s) !== ''`). */
export function hasNonSpace(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isSpaceCode(s.charCodeAt(i))) return true;
  return false;
}
