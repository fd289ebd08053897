/** Full-width digits ０-９ to ASCII; everything else unchanged. */
export function digitsToAscii(s: string): string {
  return s.replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/** Full-width ASCII variants (U+FF01–FF5E) and the ideographic space to ASCII. */
export function fullWidthAsciiToHalf(s: string): string {
  return s.replace(/[！-～]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/** Trims ASCII and full-width (U+3000) spaces at both ends. */
export function trimAll(s: string): string {
  return s.replace(/^[\s\u3000]+|[\s\u3000]+$/g, '');
}
