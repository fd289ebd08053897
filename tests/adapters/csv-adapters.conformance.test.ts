import path from 'node:path';
import { adapters } from '../../adapters/index.ts';
import { describeConformance } from '../../src/sdk/conformance.ts';
import { root } from '../helpers/files.ts';

// Every CSV adapter shares the delimited reader; each runs the suite on the same edge cases.
for (const adapter of adapters.filter((a) => a.manifest.formats.includes('csv'))) {
  describeConformance(adapter, {
    dir: path.join(root, 'fixtures', 'juki-standard-csv', 'conformance'),
    ext: 'csv',
    context: { fileName: 'x.csv', config: {} },
    cases: {
      valid: { records: 2 },
      empty: { fails: 'HUB_ERR_EMPTY_FILE' },
      'header-only': { fails: 'HUB_ERR_NO_RECORDS' },
      bom: { records: 2 },
      crlf: { records: 2 },
      lf: { records: 2 },
      'trailing-eof': { records: 2 },
      'short-record': { records: 1, rejects: [{ line: 3, code: 'HUB_ERR_COLUMN_COUNT' }] },
      'long-record': { records: 1, rejects: [{ line: 3, code: 'HUB_ERR_COLUMN_COUNT' }] },
      'invalid-byte': {
        records: 1,
        rejects: [{ line: 3, code: 'HUB_ERR_INVALID_BYTES' }],
        context: { encoding: 'cp932' },
      },
      cp932: { records: 2 },
      'euc-jp': { records: 2 },
    },
  });
}
