import { defineCsvAdapter } from '../../src/sdk/csv-adapter.ts';

export default defineCsvAdapter({
  id: 'kaigo-csv',
  title: '介護保険 被保険者（介護保険システム）',
  entity: 'enrolment',
  encodings: ['cp932'],
});
