import path from 'node:path';
import adapter from '../../adapters/tenshutsu-xml/adapter.ts';
import { describeConformance } from '../../src/sdk/conformance.ts';
import { root } from '../helpers/files.ts';

describeConformance(adapter, {
  dir: path.join(root, 'fixtures', 'tenshutsu-xml', 'conformance'),
  ext: 'xml',
  context: { fileName: 'x.xml', config: {} },
  cases: {
    valid: { records: 6 },
    empty: { fails: 'HUB_ERR_EMPTY_FILE' },
    bom: { records: 6 },
    crlf: { records: 6 },
    lf: { records: 6 },
    'trailing-eof': { records: 6 },
    'invalid-byte': { fails: 'HUB_ERR_INVALID_BYTES' },
    'shift-jis': { records: 6 },
    dtd: { fails: 'HUB_ERR_XML_DTD' },
    'no-persons': { fails: 'HUB_ERR_XML' },
  },
});
