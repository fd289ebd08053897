import { describe, expect, it } from 'vitest';
import { recordValuesOf } from '../../src/parsers/record-values.ts';

describe('records keyed by column name', () => {
  it('keeps every column as an own value in header order, whatever its name, and inherits nothing', () => {
    const header = ['宛名番号', '__proto__', 'constructor', 'toString', '"}; throw 1; //', '\u2028', '', '1'];
    const values = recordValuesOf(header)(header.map((_, i) => `v${i}`));
    expect(Object.keys(values)).toEqual([
      '1',
      '宛名番号',
      '__proto__',
      'constructor',
      'toString',
      '"}; throw 1; //',
      '\u2028',
      '',
    ]);
    for (const [i, name] of header.entries())
      expect(Object.hasOwn(values, name) && values[name]).toBe(`v${i}`);
    expect('hasOwnProperty' in values).toBe(false);
    expect(Object.getPrototypeOf(Object.getPrototypeOf(values))).toBeNull();
    expect(JSON.parse(JSON.stringify(values))).toEqual(
      Object.fromEntries(header.map((n, i) => [n, `v${i}`])),
    );
  });
});
