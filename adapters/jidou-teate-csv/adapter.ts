import { defineCsvAdapter } from '../../src/sdk/csv-adapter.ts';

export default defineCsvAdapter({
  id: 'jidou-teate-csv',
  title: '児童手当 受給者（児童手当システム）',
  entity: 'enrolment',
  encodings: ['cp932'],
});
