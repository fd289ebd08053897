import { defineCsvAdapter } from '../../src/sdk/csv-adapter.ts';

export default defineCsvAdapter({
  id: 'kodomo-iryo-csv',
  title: '子ども医療費助成 受給者（ベンダー独自レイアウト）',
  entity: 'enrolment',
  encodings: ['cp932'],
});
