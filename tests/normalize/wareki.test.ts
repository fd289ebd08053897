import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isoToWareki,
  isValidIsoDate,
  parseWareki,
  unknownDateLabel,
  warekiToIso,
} from '../../src/normalize/wareki.ts';

describe('和暦', () => {
  it.each([
    ['1980-04-01', '昭和55年4月1日'],
    ['1912-07-29', '明治45年7月29日'],
    ['1912-07-30', '大正元年7月30日'],
    ['1926-12-24', '大正15年12月24日'],
    ['1926-12-25', '昭和元年12月25日'],
    ['1989-01-07', '昭和64年1月7日'],
    ['1989-01-08', '平成元年1月8日'],
    ['2019-04-30', '平成31年4月30日'],
    ['2019-05-01', '令和元年5月1日'],
    ['1873-01-01', '明治6年1月1日'],
  ])('writes %s as %s', (iso, text) => {
    expect(isoToWareki(iso)?.text).toBe(text);
  });

  it('keeps the old era on an overlap day when asked', () => {
    expect(isoToWareki('1912-07-30', 1)?.text).toBe('明治45年7月30日');
    expect(isoToWareki('1926-12-25', 2)?.text).toBe('大正15年12月25日');
    expect(isoToWareki('1926-12-26', 2)?.text).toBe('昭和元年12月26日');
  });

  it('does not convert dates before the Gregorian calendar (1873)', () => {
    expect(isoToWareki('1872-12-31')).toBeUndefined();
    expect(parseWareki('明治5年12月2日')).toMatchObject({ error: 'lunisolar' });
  });

  it('reads text, letter and 7-digit forms with full-width digits', () => {
    expect(parseWareki('昭和55年4月1日')).toMatchObject({ iso: '1980-04-01' });
    expect(parseWareki('S55.4.1')).toMatchObject({ iso: '1980-04-01' });
    expect(parseWareki('R1.5.1')).toMatchObject({ iso: '2019-05-01' });
    expect(parseWareki('令和元年5月1日')).toMatchObject({ iso: '2019-05-01' });
    expect(parseWareki('昭和５５年４月１日')).toMatchObject({ iso: '1980-04-01' });
    expect(parseWareki('3550401')).toMatchObject({ iso: '1980-04-01' });
    expect(parseWareki('4010108')).toMatchObject({ iso: '1989-01-08' });
  });

  it('refuses days outside their era or the calendar', () => {
    expect(parseWareki('平成31年5月1日')).toMatchObject({ error: 'invalid' });
    expect(parseWareki('昭和64年1月8日')).toMatchObject({ error: 'invalid' });
    expect(parseWareki('令和2年2月30日')).toMatchObject({ error: 'invalid' });
    expect(parseWareki('X55.4.1')).toEqual({ error: 'syntax' });
    expect(warekiToIso(5, 0, 1, 1)).toBeUndefined();
  });

  it('knows leap days', () => {
    expect(isValidIsoDate('2024-02-29')).toBe(true);
    expect(isValidIsoDate('2023-02-29')).toBe(false);
    expect(isValidIsoDate('1900-02-29')).toBe(false);
    expect(isValidIsoDate('2000-02-29')).toBe(true);
  });
});

describe('和暦 properties', () => {
  it('ISO → 和暦 → ISO is the identity over 1873-01-01…2100-12-31', () => {
    const start = Date.UTC(1873, 0, 1);
    const days = (Date.UTC(2100, 11, 31) - start) / 86_400_000;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: days }), (n) => {
        const iso = new Date(start + n * 86_400_000).toISOString().slice(0, 10);
        const w = isoToWareki(iso);
        expect(w).toBeDefined();
        expect(parseWareki(w!.text)).toMatchObject({ iso });
        const g = `${w!.era.code}${String(w!.year).padStart(2, '0')}${String(w!.month).padStart(2, '0')}${String(w!.day).padStart(2, '0')}`;
        expect(parseWareki(g)).toMatchObject({ iso });
      }),
      { numRuns: 5000 },
    );
  });

  it('labels partly known 7-digit dates', () => {
    expect(unknownDateLabel('3450000')).toBe('昭和45年月日不詳');
    expect(unknownDateLabel('4010500')).toBe('平成元年5月日不詳');
    expect(unknownDateLabel('0000000')).toBe('年月日不詳');
    expect(unknownDateLabel('3450101')).toBeUndefined();
  });
});
