import type { HubDate } from '../schemas/common.ts';

function parts(iso: string): [number, number, number] {
  return iso.split('-').map(Number) as [number, number, number];
}

/**
 * Age in whole years at `on`, counted by birthday (the scheme-specific 前日 counting of
 * 年齢計算ニ関スル法律 is left to the rules that need it). Undefined for a 不詳 birth date.
 */
export function ageOn(birth: HubDate | undefined, on: string): number | undefined {
  if (!birth?.iso) return undefined;
  const [by, bm, bd] = parts(birth.iso);
  const [y, m, d] = parts(on);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** The day before a date (the day an age is 「達する」 under 年齢計算ニ関スル法律). */
function dayBefore(iso: string): string {
  const t = Date.UTC(...(parts(iso).map((v, i) => (i === 1 ? v - 1 : v)) as [number, number, number]));
  return new Date(t - 86_400_000).toISOString().slice(0, 10);
}

function addYears(iso: string, n: number): string {
  const [y, m, d] = parts(iso);
  // 2月29日生まれ: the anniversary in a common year is 3月1日.
  const t = new Date(Date.UTC(y + n, m - 1, d));
  return t.toISOString().slice(0, 10);
}

/**
 * 「18歳に達する日以後の最初の3月31日」 (児童手当法第4条): the age is reached the day before the
 * birthday (年齢計算ニ関スル法律), so a child born on 4月1日 is covered only to the 3月31日 of
 * that very day.
 */
export function firstMarch31After18(birth: HubDate | undefined): string | undefined {
  if (!birth?.iso) return undefined;
  const reached = dayBefore(addYears(birth.iso, 18));
  const [y] = parts(reached);
  return reached <= `${y}-03-31` ? `${y}-03-31` : `${y + 1}-03-31`;
}

/** True while the child is 高校生世代 or younger: on or before the first 3月31日 after 18. */
export function isHighSchoolAgeOrYounger(birth: HubDate | undefined, on: string): boolean | undefined {
  const end = firstMarch31After18(birth);
  if (!end || !birth?.iso) return undefined;
  return birth.iso <= on && on <= end;
}

/**
 * 学齢 (学校教育法第17条): from the first 4月1日 after the day before the 6th birthday to the
 * 3月31日 of the school year in which the day before the 15th birthday falls.
 */
export function isCompulsorySchoolAge(birth: HubDate | undefined, on: string): boolean | undefined {
  if (!birth?.iso) return undefined;
  const reached6 = dayBefore(addYears(birth.iso, 6));
  const [y6, m6] = parts(reached6);
  const start = `${m6 >= 4 ? y6 + 1 : y6}-04-01`;
  const reached15 = dayBefore(addYears(birth.iso, 15));
  const [y15, m15] = parts(reached15);
  const end = `${m15 >= 4 ? y15 + 1 : y15}-03-31`;
  return start <= on && on <= end;
}

/** `iso` plus n days. */
export function addDays(iso: string, n: number): string {
  const t = Date.UTC(...(parts(iso).map((v, i) => (i === 1 ? v - 1 : v)) as [number, number, number]));
  return new Date(t + n * 86_400_000).toISOString().slice(0, 10);
}
