import { readFileSync } from 'node:fs';
import { memoized } from './memo.ts';

/**
 * Name search keys. A name is stored as received (IVS kept, never NFC/NFKC'd:
 * juki-reference §6); these keys are computed beside it and never written back as a name.
 */

/** Ideographic (U+E0100–E01EF) and standardized (U+FE00–FE0F) variation selectors. */
const VARIATION_SELECTORS = /[\u{E0100}-\u{E01EF}\uFE00-\uFE0F]/gu;

/**
 * Folds the hub adds to the table: 斎 and 斉 are different characters in the MJ data, but people
 * and systems write 斉藤 for 斎藤 and back; search finds both, exact matches ranked first.
 */
const HUB_FOLDS: Readonly<Record<string, string>> = { 斎: '斉' };

let variants: Map<string, string> | undefined;

/** The 異体字 table (`name-variants.tsv`, derived from the MJ縮退マップ; its header says how). */
export function nameVariants(): Map<string, string> {
  if (variants) return variants;
  const text = readFileSync(new URL('./name-variants.tsv', import.meta.url), 'utf8');
  const table = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [from, to] = line.split('\t');
    if (from && to) table.set(from, HUB_FOLDS[to] ?? to);
  }
  for (const [from, to] of Object.entries(HUB_FOLDS)) table.set(from, to);
  variants = table;
  return table;
}

/** A name as written, spaces removed: for telling exact matches first. */
export const nameExactKey = memoized(function nameExactKey(s: string): string {
  return s.replace(/[\s\u3000]/g, '');
});

/**
 * The search key of a name: variation selectors dropped, NFKC, spaces removed, and each 異体字
 * folded to its common form (髙→高, 邉/邊→辺, 𠮷→吉, 﨑→崎, 齋/齊→斉, 德→徳, 濵→浜). `斉󠄃藤`, `齋藤`
 * and `斉藤` give the same key.
 */
export const nameKey = memoized(function nameKey(s: string): string {
  const table = nameVariants();
  const folded = s
    .replace(VARIATION_SELECTORS, '')
    .normalize('NFKC')
    .replace(/[\s\u3000]/g, '');
  let out = '';
  for (const ch of folded) out += table.get(ch) ?? ch;
  return out;
});
