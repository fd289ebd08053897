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
  '順位',
  '宛名番号',
  '被保険者氏名',
  '被保険者フリガナ',
  '生年月日',
  '性別',
  '住所',
  '転入前住所',
  '受給資格証明書',
];

/** 異動事由 of the 資格取得・異動届 by life event: 01 転入による資格取得, 11 住所変更. */
const REASON: Record<string, string> = { tennyu: '01', tenkyo: '11' };
const SEX: Record<string, string> = { 男: '1', 女: '2' };
const CERTIFICATE: Record<string, string> = { あり: '1', なし: '0' };

export default defineWriteAdapter({
  manifest: {
    id: 'kaigo-todoke-csv',
    version: '1.0.0',
    title: '介護保険 資格取得・異動届データ（CP932, CRLF, 被保険者1人1行）',
    direction: 'write',
    formats: ['csv'],
    encodings: ['cp932'],
    forms: ['kaigo'],
  },
  write(submissions, { gaiji }) {
    const rows: string[][] = [HEADER];
    for (const s of submissions) {
      const v = s.record.values;
      for (const p of personsOf(s, 'insuredName')) {
        const at = (key: string) => cell(submittedValue(s, key, p.id));
        rows.push([
          s.id,
          cell(v.notifiedOn),
          REASON[s.record.lifeEvent ?? ''] ?? '',
          cell(s.record.referenceDate),
          String(p.order),
          at('insuredAtenaNo'),
          at('insuredName'),
          at('insuredKana'),
          at('insuredBirthDate'),
          SEX[at('insuredSex')] ?? '',
          cell(v.address),
          cell(v.previousAddress),
          CERTIFICATE[cell(v.certificateSubmitted)] ?? '',
        ]);
      }
    }
    return { bytes: encodeCsv(rows, 'cp932', gaiji), rows: rows.length - 1, extension: 'csv' };
  },
});
