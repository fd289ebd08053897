import { describe, expect, it } from 'vitest';
import { compileMapping } from '../../src/mapping/compile.ts';

/** A mapping whose 異動日 comes from a spreadsheet that wrote serial days. */
const mapping = compileMapping(
  {
    adapter: 'juki-standard-csv',
    entity: 'person',
    key: ['atenaNo'],
    fields: {
      atenaNo: { from: '宛名番号' },
      changedOn: { from: '異動日', as: 'date', excelSerial: true },
      birthDate: { from: '生年月日', as: 'date', notAfterToday: true },
    },
  },
  new Map(),
);

describe('date options of a mapping field', () => {
  it('reads an Excel serial day where the field declares excelSerial, and only there', () => {
    const ok = mapping.apply({ 宛名番号: '1', 異動日: '29285', 生年月日: '1980-03-05' });
    expect(ok).toMatchObject({
      kind: 'record',
      record: { changedOn: { iso: '1980-03-05', source: '29285' } },
    });
    const refused = mapping.apply({ 宛名番号: '1', 生年月日: '29285' });
    expect(refused).toMatchObject({
      kind: 'reject',
      problems: [{ field: '生年月日', code: 'HUB_ERR_DATE_FORMAT' }],
    });
  });

  it('refuses a birth date after today in Japan', () => {
    const tomorrow = new Date(Date.now() + 9 * 3_600_000 + 86_400_000).toISOString().slice(0, 10);
    const r = mapping.apply({ 宛名番号: '1', 生年月日: tomorrow });
    expect(r).toMatchObject({ kind: 'reject', problems: [{ code: 'HUB_ERR_IMPLAUSIBLE_DATE' }] });
  });
});
