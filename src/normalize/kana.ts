import { memoized } from './memo.ts';

/** Hiragana (ぁ–ゖ, ゝゞ) to katakana; other characters unchanged. */
export function hiraganaToKatakana(s: string): string {
  return s.replace(/[\u3041-\u3096\u309d\u309e]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
}

/**
 * A kana reading as written, for telling exact matches first: half-width kana become
 * full-width with their ﾞ/ﾟ composed (NFKC), hiragana become katakana, spaces of any width are
 * removed. `ｺｳﾉ`, `こうの` and `コウノ` give the same key.
 */
export const kanaExactKey = memoized(function kanaExactKey(s: string): string {
  return hiraganaToKatakana(s.normalize('NFKC')).replace(/[\s\u3000]/g, '');
});

const SMALL_TO_LARGE: Readonly<Record<string, string>> = {
  ァ: 'ア',
  ィ: 'イ',
  ゥ: 'ウ',
  ェ: 'エ',
  ォ: 'オ',
  ッ: 'ツ',
  ャ: 'ヤ',
  ュ: 'ユ',
  ョ: 'ヨ',
  ヮ: 'ワ',
  ヵ: 'カ',
  ヶ: 'ケ',
  ㇰ: 'ク',
};

/** Spellings of one reading that 住記 systems and people write differently. */
const SAME_SOUND: Readonly<Record<string, string>> = {
  ヴァ: 'バ',
  ヴィ: 'ビ',
  ヴェ: 'ベ',
  ヴォ: 'ボ',
  ヴ: 'ブ',
  ヰ: 'イ',
  ヱ: 'エ',
  ヲ: 'オ',
  ヂ: 'ジ',
  ヅ: 'ズ',
};

/**
 * The search key of a kana reading: the exact key, then folded the way 名寄せ does — small kana
 * as large (キユウ ≡ キュウ, ヶ ≡ ケ), ヴ as ブ (ヴァ as バ), ヂ/ヅ as ジ/ズ, ヰヱヲ as イエオ, and every
 * long-vowel or wave mark (ー, 〜, ～, -) as ー. Never written back to the record.
 */
export const kanaKey = memoized(function kanaKey(s: string): string {
  return kanaExactKey(s)
    .replace(/ヴ[ァィェォ]?|[ヰヱヲヂヅ]/g, (m) => SAME_SOUND[m] ?? SAME_SOUND[m[0]!] ?? m)
    .replace(/[ァィゥェォッャュョヮヵヶㇰ]/g, (c) => SMALL_TO_LARGE[c]!)
    .replace(/[〜~\-‐‑–—―−ｰ]/g, 'ー');
});
