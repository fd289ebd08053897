/**
 * 続柄 codes and their chains (住民記録システム標準仕様書 §1.1.11): a relationship to the
 * 世帯主 is up to four links joined with 「の」 (子の妻 = 20, 12); 世帯主, 縁故者 and 同居人 stand
 * alone. Five or more generations are written 縁故者 by the standard.
 */
export const RELATIONSHIP_LABELS: Readonly<Record<string, string>> = {
  '02': '世帯主',
  '11': '夫',
  '12': '妻',
  '13': '夫（未届）',
  '14': '妻（未届）',
  '20': '子',
  '51': '父',
  '52': '母',
  '71': '兄',
  '74': '弟',
  '81': '姉',
  '84': '妹',
  '96': '縁故者',
  '99': '同居人',
};

const STANDALONE = new Set(['02', '96', '99']);
const codeByLabel = new Map(Object.entries(RELATIONSHIP_LABELS).map(([code, label]) => [label, code]));

/**
 * Words of real documents that are not in the code table but say one link (or two) exactly:
 * the pre-1995 spellings of a child (長男, 二女, 養子 … all 子 since 平成7年), 嫁/婿 (子の妻/夫),
 * 孫 (子の子). Ambiguous words (祖父, 義父, 兄弟) are not here: they stay unread.
 */
const LEGACY_WORDS: ReadonlyMap<string, readonly string[]> = new Map([
  ['養子', ['20']],
  ['養女', ['20']],
  ['実子', ['20']],
  ['嫁', ['20', '12']],
  ['婿', ['20', '11']],
  ['孫', ['20', '20']],
]);

/** 長男, 長女, 二男, 次男, 三女, 十一男 …: a child as written before 平成7年. */
const NUMBERED_CHILD = /^(?:長|次|[二三四五六七八九十]|十[一二三四五六七八九]|[1-9]\d?)(?:男|女)$/;

export type ChainError = { error: 'unknown-code' | 'unknown-label' | 'too-long' | 'standalone'; at: number };

/** ['20', '12'] → 子の妻; an error names the link (0-based) that is wrong. */
export function relationshipLabel(codes: readonly string[]): { label: string } | ChainError {
  if (codes.length > 4) return { error: 'too-long', at: 4 };
  const labels: string[] = [];
  for (const [i, code] of codes.entries()) {
    const label = RELATIONSHIP_LABELS[code];
    if (!label) return { error: 'unknown-code', at: i };
    if (STANDALONE.has(code) && codes.length > 1) return { error: 'standalone', at: i };
    labels.push(label);
  }
  return { label: labels.join('の') };
}

/** Width, spaces and parentheses as printed: `子 (子の妻)` → `子（子の妻）`. */
function foldLabel(label: string): string {
  return label
    .normalize('NFKC')
    .replace(/[\s\u3000]/g, '')
    .replace(/\(/g, '（')
    .replace(/\)/g, '）');
}

/** One word of a chain → its codes (one, or two for 嫁・婿・孫), or undefined. */
function wordCodes(word: string): readonly string[] | undefined {
  const code = codeByLabel.get(word);
  if (code) return [code];
  if (NUMBERED_CHILD.test(word)) return ['20'];
  return LEGACY_WORDS.get(word);
}

/**
 * A 続柄 label → its code chain, read as a grammar rather than looked up in a list:
 *
 *     label      = ["世帯主の"] chain | 世帯主 | 縁故者 | 同居人 | 子 "（" chain "）"
 *     chain      = word ("の" word)*          (at most four links in all)
 *     word       = 夫 | 妻 | 夫（未届） | … | 妹 | 長男 | 二女 | 養子 | 嫁 | 婿 | 孫
 *
 * `世帯主の子` = 子, `妻の母` = [12, 52], `長男の妻` = [20, 12]. `子（子の妻）` is the standard's own
 * value ② for a 子 (養子) who is also the wife of a child: legally a 子, so its code is 20 and the
 * label keeps the annotation. An error names the link (0-based) that could not be read.
 */
export function relationshipCodes(label: string): { codes: string[] } | ChainError {
  const text = foldLabel(label);
  const whole = codeByLabel.get(text);
  if (whole) return { codes: [whole] };
  const annotated = /^子（(.+)）$/.exec(text);
  if (annotated) {
    const inner = relationshipCodes(annotated[1]!);
    return 'error' in inner ? inner : { codes: ['20'] };
  }
  if (text.startsWith('世帯主の') && text !== '世帯主の世帯主') return relationshipCodes(text.slice(4));
  const words = text.split('の');
  const codes: string[] = [];
  for (const [i, word] of words.entries()) {
    const found = wordCodes(word);
    if (!found) return { error: 'unknown-label', at: i };
    if (found.some((c) => STANDALONE.has(c))) return { error: 'standalone', at: i };
    codes.push(...found);
  }
  if (codes.length === 0) return { error: 'unknown-label', at: 0 };
  if (codes.length > 4) return { error: 'too-long', at: 4 };
  return { codes };
}
