import { digitsToAscii } from './width.ts';

/**
 * 和暦 ⇄ ISO. The era table is the hub's own: `Intl`'s Japanese calendar starts 明治 on
 * 1868-10-23 and has no 元年. 明治 dates before 1873-01-01 (明治6年) were lunisolar and are not
 * converted. On the two overlap days (1912-07-30, 1926-12-25) both spellings are valid; the
 * new era is the default.
 */
export interface Era {
  code: 1 | 2 | 3 | 4 | 5;
  name: '明治' | '大正' | '昭和' | '平成' | '令和';
  letter: 'M' | 'T' | 'S' | 'H' | 'R';
  /** First day (ISO), inclusive. */
  start: string;
  /** Last day (ISO), inclusive; undefined for the current era. */
  end?: string;
}

export const ERAS: readonly Era[] = [
  { code: 1, name: '明治', letter: 'M', start: '1868-01-25', end: '1912-07-30' },
  { code: 2, name: '大正', letter: 'T', start: '1912-07-30', end: '1926-12-25' },
  { code: 3, name: '昭和', letter: 'S', start: '1926-12-25', end: '1989-01-07' },
  { code: 4, name: '平成', letter: 'H', start: '1989-01-08', end: '2019-04-30' },
  { code: 5, name: '令和', letter: 'R', start: '2019-05-01' },
];

/** The Gregorian calendar was adopted on 明治6年1月1日. */
export const GREGORIAN_START = '1873-01-01';

export function isValidIsoDate(iso: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function eraByCode(code: number): Era | undefined {
  return ERAS.find((e) => e.code === code);
}

/** True when `iso` lies inside `era` (its overlap day included). */
export function eraContains(era: Era, iso: string): boolean {
  return iso >= era.start && (era.end === undefined || iso <= era.end);
}

export interface Wareki {
  era: Era;
  year: number;
  month: number;
  day: number;
  /** `昭和55年4月1日`, `令和元年5月1日` (ASCII digits). */
  text: string;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

export function warekiText(era: Era, year: number, month: number, day: number): string {
  return `${era.name}${year === 1 ? '元' : year}年${month}月${day}日`;
}

/**
 * ISO → 和暦. `preferEra` picks the old spelling on an overlap day when it fits. Returns
 * undefined for an invalid date or one before 1873-01-01 (lunisolar, not convertible).
 */
export function isoToWareki(iso: string, preferEra?: number): Wareki | undefined {
  if (!isValidIsoDate(iso) || iso < GREGORIAN_START) return undefined;
  const candidates = ERAS.filter((e) => eraContains(e, iso));
  const era = candidates.find((e) => e.code === preferEra) ?? candidates.at(-1);
  if (!era) return undefined;
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const year = y - Number(era.start.slice(0, 4)) + 1;
  return { era, year, month: m, day: d, text: warekiText(era, year, m, d) };
}

/** 和暦 → ISO, or undefined when the day does not exist or lies outside the era. */
export function warekiToIso(eraCode: number, year: number, month: number, day: number): string | undefined {
  const era = eraByCode(eraCode);
  if (!era || year < 1) return undefined;
  const iso = `${pad(Number(era.start.slice(0, 4)) + year - 1, 4)}-${pad(month)}-${pad(day)}`;
  if (!isValidIsoDate(iso) || !eraContains(era, iso) || iso < GREGORIAN_START) return undefined;
  return iso;
}

const eraByName = new Map<string, Era>(
  ERAS.flatMap((e) => [
    [e.name, e],
    [e.letter, e],
    [e.letter.toLowerCase(), e],
  ]),
);

/**
 * Parses 和暦 text: `昭和55年4月1日`, `令和元年5月1日`, `S55.4.1`, `R1.5.1`, `H01/01/08`, the 7-digit
 * `GYYMMDD` form (`3550401`) and full-width digits. Returns the ISO date or a reason.
 */
export function parseWareki(text: string):
  | { iso: string; era: number }
  | { error: 'syntax' }
  | {
      error: 'invalid' | 'lunisolar';
      era: number;
      year: number;
      month: number;
      day: number;
      gregorianYear: number;
    } {
  const s = digitsToAscii(text.trim()).replace(/[．]/g, '.');
  let m = /^(明治|大正|昭和|平成|令和)(元|\d{1,2})年(\d{1,2})月(\d{1,2})日$/.exec(s);
  m ??= /^([MTSHRmtshr])(元|\d{1,2})[./-](\d{1,2})[./-](\d{1,2})$/.exec(s);
  let eraCode: number | undefined;
  let y: number;
  let mo: number;
  let d: number;
  if (m) {
    eraCode = eraByName.get(m[1]!)?.code;
    y = m[2] === '元' ? 1 : Number(m[2]);
    mo = Number(m[3]);
    d = Number(m[4]);
  } else {
    const g = /^([1-5])(\d{2})(\d{2})(\d{2})$/.exec(s);
    if (!g) return { error: 'syntax' };
    eraCode = Number(g[1]);
    y = Number(g[2]);
    mo = Number(g[3]);
    d = Number(g[4]);
  }
  if (eraCode === undefined) return { error: 'syntax' };
  const iso = warekiToIso(eraCode, y, mo, d);
  if (iso) return { iso, era: eraCode };
  const era = eraByCode(eraCode)!;
  const gy = Number(era.start.slice(0, 4)) + y - 1;
  const guess = `${pad(gy, 4)}-${pad(mo)}-${pad(d)}`;
  const parts = { era: eraCode, year: y, month: mo, day: d, gregorianYear: gy };
  if (eraCode === 1 && guess < GREGORIAN_START && mo >= 1 && mo <= 12 && d >= 1 && d <= 30) {
    return { error: 'lunisolar', ...parts };
  }
  return { error: 'invalid', ...parts };
}

/**
 * The 不詳表記 of a partly known 7-digit date: `3450000` → `昭和45年月日不詳`, `3450500` →
 * `昭和45年5月日不詳`; `0000000` → `年月日不詳`. Undefined when the form is not GYYMMDD.
 */
export function unknownDateLabel(gyymmdd: string): string | undefined {
  const m = /^([0-5])(\d{2})(\d{2})(\d{2})$/.exec(digitsToAscii(gyymmdd.trim()));
  if (!m) return undefined;
  const era = eraByCode(Number(m[1]));
  const [y, mo, d] = [Number(m[2]), Number(m[3]), Number(m[4])];
  if (!era || y === 0) return '年月日不詳';
  const year = `${era.name}${y === 1 ? '元' : y}年`;
  if (mo === 0) return `${year}月日不詳`;
  if (d === 0) return `${year}${mo}月日不詳`;
  return undefined;
}
