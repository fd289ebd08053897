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

/** 子の妻 → ['20', '12'] (full-width parentheses as printed, e.g. 妻（未届）). */
export function relationshipCodes(label: string): { codes: string[] } | ChainError {
  const text = label.trim().replace(/\(/g, '（').replace(/\)/g, '）');
  const whole = codeByLabel.get(text);
  if (whole) return { codes: [whole] };
  const parts = text.split('の');
  if (parts.length > 4) return { error: 'too-long', at: 4 };
  const codes: string[] = [];
  for (const [i, part] of parts.entries()) {
    const code = codeByLabel.get(part);
    if (!code) return { error: 'unknown-label', at: i };
    if (STANDALONE.has(code)) return { error: 'standalone', at: i };
    codes.push(code);
  }
  return { codes };
}
