import {
  cell,
  defineWriteAdapter,
  encodeCsv,
  personsOf,
  submittedValue,
} from '../../src/sdk/write-adapter.ts';

const HEADER = [
  '受付番号',
  '届出年月日',
  '異動事由',
  '異動年月日',
  '届出人氏名',
  '順位',
  '氏名',
  '氏名フリガナ',
  '生年月日',
  '性別',
  '続柄',
  '世帯主氏名',
  '住所',
  '方書',
  '郵便番号',
  '従前の住所',
  '転入前住民票コード',
  '転出証明書番号',
  '個人番号',
];

/** 記載の事由 / 修正の事由 codes of the standard for the life events of a 住民異動届. */
const REASON: Record<string, string> = { tennyu: '01', tenshutsu: '21', tenkyo: '41' };

export default defineWriteAdapter({
  manifest: {
    id: 'juki-idou-csv',
    version: '1.0.0',
    title: '住民異動届データ（住記取込用 CSV, UTF-8 BOM, CRLF）',
    direction: 'write',
    formats: ['csv'],
    encodings: ['utf-8'],
    forms: ['juminidou'],
  },
  write(submissions) {
    const rows: string[][] = [HEADER];
    for (const s of submissions) {
      const v = s.record.values;
      for (const p of personsOf(s, 'name')) {
        const at = (key: string) => cell(submittedValue(s, key, p.id));
        rows.push([
          s.id,
          cell(v.notifiedOn),
          REASON[s.record.lifeEvent ?? ''] ?? '',
          cell(s.record.referenceDate),
          cell(v.notifierName),
          String(p.order),
          at('name'),
          at('kana'),
          at('birthDate'),
          at('sex'),
          at('relationship'),
          cell(v.headName),
          cell(v.newAddress),
          cell(v.newBuilding) === '（なし）' ? '' : cell(v.newBuilding),
          cell(v.postalCode).replace('-', ''),
          cell(v.previousAddress),
          at('residentCode'),
          cell(s.record.certificateNumber),
          p.myNumber ?? '',
        ]);
      }
    }
    return { bytes: encodeCsv(rows, 'utf-8-bom'), rows: rows.length - 1, extension: 'csv' };
  },
});
