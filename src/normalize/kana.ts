/** Hiragana (ぁ–ゖ, ゝゞ) to katakana; other characters unchanged. */
export function hiraganaToKatakana(s: string): string {
  return s.replace(/[\u3041-\u3096\u309d\u309e]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
}

/**
 * The search key of a kana reading: half-width kana become full-width with their ﾞ/ﾟ composed
 * (NFKC), hiragana become katakana, spaces of any width are removed. `ｺｳﾉ`, `こうの` and `コウノ`
 * give the same key.
 */
export function kanaKey(s: string): string {
  return hiraganaToKatakana(s.normalize('NFKC')).replace(/[\s\u3000]/g, '');
}

/** The search key of a name: NFKC-folded, spaces removed. Source characters stay in the record. */
export function nameKey(s: string): string {
  return s.normalize('NFKC').replace(/[\s\u3000]/g, '');
}
