import {
  cell,
  defineWriteAdapter,
  encodeCsv,
  personsOf,
  submittedValue,
} from '../../src/sdk/write-adapter.ts';

const HEADER = [
  '受付番号',
  '請求年月日',
  '請求者宛名番号',
  '請求者氏名',
  '請求者フリガナ',
  '請求者生年月日',
  '配偶者氏名',
  '児童氏名',
  '児童生年月日',
  '児童続柄',
  '同居別居',
  '口座_金融機関コード',
  '口座_支店コード',
  '口座_種別',
  '口座_番号',
  '口座_名義カナ',
];

/** 口座_種別 as the 児童手当 system reads it (the form offers the words). */
const ACCOUNT_TYPE: Record<string, string> = { 普通: '1', 当座: '2' };

export default defineWriteAdapter({
  manifest: {
    id: 'jidou-teate-seikyu-csv',
    version: '1.0.0',
    title: '児童手当 認定請求データ（CP932, CRLF, 児童1人1行）',
    direction: 'write',
    formats: ['csv'],
    encodings: ['cp932'],
    forms: ['jidouteate'],
  },
  write(submissions, { gaiji }) {
    const rows: string[][] = [HEADER];
    for (const s of submissions) {
      const v = s.record.values;
      for (const p of personsOf(s, 'childName')) {
        const at = (key: string) => cell(submittedValue(s, key, p.id));
        rows.push([
          s.id,
          cell(v.claimedOn),
          cell(v.claimantAtenaNo),
          cell(v.claimantName),
          cell(v.claimantKana),
          cell(v.claimantBirthDate),
          cell(v.spouseName),
          at('childName'),
          at('childBirthDate'),
          at('childRelationship'),
          at('livingTogether'),
          cell(v.bankCode),
          cell(v.branchCode),
          ACCOUNT_TYPE[cell(v.accountType)] ?? cell(v.accountType),
          cell(v.accountNumber),
          cell(v.accountHolderKana),
        ]);
      }
    }
    return { bytes: encodeCsv(rows, 'cp932', gaiji), rows: rows.length - 1, extension: 'csv' };
  },
});
