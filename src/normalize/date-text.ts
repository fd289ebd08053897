import { eraByCode, GREGORIAN_START, isValidIsoDate, parseWareki } from './wareki.ts';

/**
 * Dates as they are written in the wild: 住記 exports, spreadsheets, certificates. One function
 * reads them all and says why when it cannot, so a reject names the format that was expected.
 */
export type DateReading =
  /** A calendar day; `era` is the 元号 code the source wrote, when it wrote one. */
  | { kind: 'date'; iso: string; era?: number }
  /** A recognised spelling of a day the calendar (or the era) lacks; `eraYear` when written in 和暦. */
  | { kind: 'invalid'; year: number; month: number; day: number; eraYear?: number }
  /** 明治5年 or earlier: the lunisolar calendar, never converted. */
  | { kind: 'lunisolar' }
  /** A date with a time of day other than 0:00 (a timestamp shifted by a time zone, or not a date). */
  | { kind: 'time' }
  /** A date before 明治元年 (1868) written in the Gregorian calendar. */
  | { kind: 'too-early'; iso: string }
  /** No spelling the hub knows. */
  | { kind: 'format' };

export interface DateTextOptions {
  /** Also read a bare number as an Excel serial day (1900 date system), e.g. `29285` → 1980-03-05. */
  excelSerial?: boolean;
}

/** What a date field accepts, for messages to staff. */
export const DATE_FORMATS_EXPECTED =
  'YYYY-MM-DD・YYYY/M/D・YYYYMMDD・1980年3月5日・昭和55年3月5日・S55.3.5・GYYMMDD（3550305）・GGYYMMDD（03550305）';

/** The first day of 明治 (慶応4年1月1日): no date of the register lies before it. */
export const MEIJI_START = '1868-01-25';

const HYPHENS = /[\u2010-\u2015\u2212\u30fc\uff70\u2500]/g;

/**
 * Folds width and spacing: full-width digits, letters and separators (NFKC), every kind of
 * dash, and the spaces that padded fixed-width exports leave between 年, 月 and 日.
 */
export function foldDateText(text: string): string {
  return text.normalize('NFKC').replace(HYPHENS, '-').replace(/\s+/g, ' ').trim();
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function gregorian(y: number, m: number, d: number): DateReading {
  const iso = `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
  if (!isValidIsoDate(iso)) return { kind: 'invalid', year: y, month: m, day: d };
  if (iso < MEIJI_START) return { kind: 'too-early', iso };
  return { kind: 'date', iso };
}

function wareki(text: string): DateReading {
  const w = parseWareki(text);
  if (!('error' in w)) return { kind: 'date', iso: w.iso, era: w.era };
  if (w.error === 'syntax') return { kind: 'format' };
  if (w.error === 'lunisolar') return { kind: 'lunisolar' };
  return { kind: 'invalid', year: w.gregorianYear, month: w.month, day: w.day, eraYear: w.year };
}

/** Excel's 1900 date system counts from 1899-12-30 once past its phantom 1900-02-29 (serial 60). */
function excelDay(serial: number): DateReading {
  if (serial < 61) return { kind: 'format' };
  const iso = new Date(Date.UTC(1899, 11, 30) + serial * 86_400_000).toISOString().slice(0, 10);
  return iso < MEIJI_START ? { kind: 'too-early', iso } : { kind: 'date', iso };
}

/**
 * Reads one date: ISO with `-`, `/` or `.`, `YYYYMMDD`, `1980年3月5日`, 和暦 text with its era
 * name or letter (`昭和55年 3月 5日`, `Ｓ５５．３．５`, `令和元年5月1日`), `GYYMMDD` (`3550305`),
 * `GGYYMMDD` with a 2-digit era code (the J-LIS 中間標準レイアウト: `03550305`), a trailing
 * `00:00:00` time, and, when the field says so, an Excel serial day.
 */
export function readDateText(text: string, options: DateTextOptions = {}): DateReading {
  let s = foldDateText(text);
  const time = /^(.+?)(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)$/.exec(s);
  if (time && /\d/.test(time[1]!.slice(-1) || '')) {
    if (Number(time[2]) !== 0 || Number(time[3]) !== 0 || Number(time[4] ?? 0) !== 0) return { kind: 'time' };
    s = time[1]!;
  }
  s = s.replace(/ /g, '');
  let m = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/.exec(s);
  if (m) return gregorian(Number(m[1]), Number(m[3]), Number(m[4]));
  m = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/.exec(s);
  if (m) return gregorian(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^0([1-5])(\d{6})$/.exec(s);
  if (m) return wareki(`${m[1]}${m[2]}`);
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m) return gregorian(Number(m[1]), Number(m[2]), Number(m[3]));
  if (/^[1-5]\d{6}$/.test(s)) return wareki(s);
  m =
    /^(明治|大正|昭和|平成|令和|[MTSHRmtshr])(元|\d{1,2})(?:年|[-/.])(\d{1,2})(?:月|[-/.])(\d{1,2})日?$/.exec(
      s,
    );
  if (m) {
    const [, era, y, mo, d] = m as unknown as [string, string, string, string, string];
    return wareki(era.length === 1 ? `${era.toUpperCase()}${y}.${mo}.${d}` : `${era}${y}年${mo}月${d}日`);
  }
  if (options.excelSerial) {
    const serial = /^(\d{2,6})(?:\.(\d+))?$/.exec(s);
    if (serial) return /[1-9]/.test(serial[2] ?? '') ? { kind: 'time' } : excelDay(Number(serial[1]));
  }
  return { kind: 'format' };
}

/** The 和暦 spelling of a day in a given era (for keeping an overlap day's source spelling). */
export function eraSpelling(iso: string, eraCode: number): string | undefined {
  const era = eraByCode(eraCode);
  if (!era || iso < GREGORIAN_START) return undefined;
  const [y, mo, d] = iso.split('-').map(Number) as [number, number, number];
  const year = y - Number(era.start.slice(0, 4)) + 1;
  return `${era.name}${year === 1 ? '元' : year}年${mo}月${d}日`;
}

/** Today in Japan (the register's calendar), as ISO. */
export function todayInJapan(now: Date = new Date()): string {
  return new Date(now.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
}
