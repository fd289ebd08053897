import { describe, expect, it } from 'vitest';
import {
  ageOn,
  firstMarch31After18,
  isCompulsorySchoolAge,
  isHighSchoolAgeOrYounger,
} from '../src/procedures/ages.ts';

const d = (iso: string) => ({ iso, unknown: false });

describe('ages at a reference date', () => {
  it('counts whole years by birthday', () => {
    expect(ageOn(d('1951-04-01'), '2026-03-31')).toBe(74);
    expect(ageOn(d('1951-04-01'), '2026-04-01')).toBe(75);
    expect(ageOn({ iso: null, unknown: true }, '2026-04-01')).toBeUndefined();
  });
  it('ends 高校生世代 on the first 3月31日 on or after the day before the 18th birthday', () => {
    expect(firstMarch31After18(d('2008-04-02'))).toBe('2027-03-31');
    expect(firstMarch31After18(d('2008-04-01'))).toBe('2026-03-31');
    expect(firstMarch31After18(d('2008-03-31'))).toBe('2026-03-31');
    expect(isHighSchoolAgeOrYounger(d('2008-04-02'), '2027-03-31')).toBe(true);
    expect(isHighSchoolAgeOrYounger(d('2008-04-02'), '2027-04-01')).toBe(false);
    expect(isHighSchoolAgeOrYounger(d('2008-04-01'), '2026-04-01')).toBe(false);
  });
  it('knows 学齢: 4月1日 children start a year earlier than 4月2日 children', () => {
    expect(isCompulsorySchoolAge(d('2020-04-01'), '2026-04-01')).toBe(true);
    expect(isCompulsorySchoolAge(d('2020-04-02'), '2026-04-01')).toBe(false);
    expect(isCompulsorySchoolAge(d('2020-04-02'), '2027-04-01')).toBe(true);
    expect(isCompulsorySchoolAge(d('2011-04-02'), '2027-03-31')).toBe(true);
    expect(isCompulsorySchoolAge(d('2011-04-02'), '2027-04-01')).toBe(false);
  });
});
