import { defineCsvAdapter } from '../../src/sdk/csv-adapter.ts';

export default defineCsvAdapter({
  id: 'kokuho-csv',
  title: '国民健康保険 資格（国保システム）',
  entity: 'enrolment',
  encodings: ['utf-8'],
});
