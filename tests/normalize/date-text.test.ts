import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eraSpelling, readDateText, todayInJapan } from '../../src/normalize/date-text.ts';
import { isoToWareki } from '../../src/normalize/wareki.ts';

describe('dates as written in the wild', () => {
  it.each([
    ['03550305', '1980-03-05', 3],
    ['3550305', '1980-03-05', 3],
    ['19800305', '1980-03-05', undefined],
    ['1980年3月5日', '1980-03-05', undefined],
    ['昭和55年 3月 5日', '1980-03-05', 3],
    ['Ｓ５５．３．５', '1980-03-05', 3],
    ['s55-3-5', '1980-03-05', 3],
    ['1980-03-05 00:00:00', '1980-03-05', undefined],
    ['1980/3/5 0:00', '1980-03-05', undefined],
    ['１９８０－０３－０５', '1980-03-05', undefined],
    ['1980.3.5', '1980-03-05', undefined],
    ['令和元年5月1日', '2019-05-01', 5],
    ['04010108', '1989-01-08', 4],
  ])('reads %s as %s', (text, iso, era) => {
    expect(readDateText(text)).toEqual({ kind: 'date', iso, ...(era ? { era } : {}) });
  });

  it('reads GGYYMMDD as an era date, never as a year below 1000', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 30 }), (era, year) => {
        const r = readDateText(`0${era}${String(year).padStart(2, '0')}0401`);
        if (r.kind === 'date') expect(Number(r.iso.slice(0, 4))).toBeGreaterThanOrEqual(1868);
        else expect(['invalid', 'lunisolar']).toContain(r.kind);
      }),
    );
  });

  it('reads an Excel serial day only where the field says so', () => {
    expect(readDateText('29285', { excelSerial: true })).toEqual({ kind: 'date', iso: '1980-03-05' });
    expect(readDateText('29285.0', { excelSerial: true })).toEqual({ kind: 'date', iso: '1980-03-05' });
    expect(readDateText('29285')).toEqual({ kind: 'format' });
    expect(readDateText('29285.5', { excelSerial: true })).toEqual({ kind: 'time' });
  });

  it('tells a day that does not exist from a spelling it does not know', () => {
    expect(readDateText('1980-02-30')).toMatchObject({ kind: 'invalid', month: 2, day: 30 });
    expect(readDateText('03550230')).toMatchObject({ kind: 'invalid', eraYear: 55 });
    expect(readDateText('三月五日')).toEqual({ kind: 'format' });
    expect(readDateText('1980-03-05 15:00:00')).toEqual({ kind: 'time' });
    expect(readDateText('1850-01-01')).toEqual({ kind: 'too-early', iso: '1850-01-01' });
    expect(readDateText('明治5年12月2日')).toEqual({ kind: 'lunisolar' });
  });

  it('shows an overlap day in the new era and can still spell it in the old one', () => {
    for (const [iso, shown, old, oldEra] of [
      ['1912-07-30', '大正元年7月30日', '明治45年7月30日', 1],
      ['1926-12-25', '昭和元年12月25日', '大正15年12月25日', 2],
    ] as const) {
      expect(isoToWareki(iso)?.text).toBe(shown);
      expect(eraSpelling(iso, oldEra)).toBe(old);
    }
    expect(isoToWareki('1989-01-07')?.text).toBe('昭和64年1月7日');
    expect(isoToWareki('1989-01-08')?.text).toBe('平成元年1月8日');
  });

  it('takes today in Japan, not in UTC', () => {
    expect(todayInJapan(new Date('2026-12-01T15:30:00Z'))).toBe('2026-12-02');
  });
});
