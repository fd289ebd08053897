import { defineCsvAdapter } from '../../src/sdk/csv-adapter.ts';

export default defineCsvAdapter({
  id: 'kouki-csv',
  title: '後期高齢者医療 被保険者（後期高齢者医療システム）',
  entity: 'enrolment',
  encodings: ['utf-8'],
});
