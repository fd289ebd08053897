import { memoized } from './memo.ts';

/**
 * The match key of an address, for telling that two spellings name one place (a 転出証明書's
 * 転出先 and the register's 住所): width folded (NFKC), spaces dropped, ケ/ヶ/ヵ as ケ, every dash as
 * `-`, 丁目 numerals in kanji as digits, and 丁目 / 番地 / 番 / 号 / の between numbers as `-`;
 * the prefecture is left out (one side often omits it). Never shown and never stored as an address.
 */
const KANJI_DIGITS: Readonly<Record<string, number>> = {
  〇: 0,
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/** 三 → 3, 十二 → 12, 二十 → 20, 百五 → 105, 二〇三 → 203. */
export function kanjiNumber(s: string): number {
  if (!/[十百千]/.test(s)) return Number([...s].map((c) => KANJI_DIGITS[c]).join(''));
  let total = 0;
  let digit = 0;
  for (const c of s) {
    const unit = c === '千' ? 1000 : c === '百' ? 100 : c === '十' ? 10 : 0;
    if (unit) {
      total += (digit || 1) * unit;
      digit = 0;
    } else digit = KANJI_DIGITS[c] ?? 0;
  }
  return total + digit;
}

const PREFECTURE = /^(?:東京都|北海道|(?:京都|大阪)府|[^\s都道府県]{2,3}県)/;

/** Memoized: towns and blocks repeat across a file. */
export const addressKey = memoized(function addressKey(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/[\s\u3000]/g, '')
    .replace(PREFECTURE, '')
    .replace(/[ヶヵ]/g, 'ケ')
    .replace(/[\u2010-\u2015\u2212\u30fc\uff70－]/g, '-')
    .replace(/([〇一二三四五六七八九十百千]+)(?=丁目|番地|番|号)/g, (m) => String(kanjiNumber(m)))
    .replace(/(\d)(?:丁目|番地の?|番|号|の)(?=\d)/g, '$1-')
    .replace(/(\d)(?:丁目|番地|番|号)$/, '$1')
    .replace(/-+/g, '-')
    .replace(/-$/, '');
});

/**
 * True when two address keys name the same place: equal, or one ends with the other and the
 * shorter still holds a 町字 and a number (one side may lack the city).
 */
export function sameAddress(a: string, b: string): boolean {
  if (a === '' || b === '') return false;
  if (a === b) return true;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return long.endsWith(short) && /\D.*\d/.test(short) && short.length >= 5;
}
