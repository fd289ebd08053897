import path from 'node:path';
import { adapters } from '../../adapters/index.ts';
import adapter from '../../adapters/juki-legacy-fixed/adapter.ts';
import { requireMappingCatalog } from '../../src/mapping/catalog.ts';
import { describeConformance } from '../../src/sdk/conformance.ts';
import { root } from '../helpers/files.ts';

const catalog = requireMappingCatalog(
  path.join(root, 'mappings'),
  adapters.map((a) => a.manifest.id),
);

describeConformance(adapter, {
  dir: path.join(root, 'fixtures', 'juki-legacy-fixed', 'conformance'),
  ext: 'DAT',
  context: { fileName: 'x.DAT', config: {}, layout: catalog.layout('juki-legacy-fixed')! },
  cases: {
    valid: { records: 2 },
    empty: { fails: 'HUB_ERR_EMPTY_FILE' },
    'header-only': { fails: 'HUB_ERR_NO_TRAILER' },
    // a UTF-8 BOM makes the header 403 bytes long: this format has no BOM, so the file fails
    bom: { fails: 'HUB_ERR_NO_HEADER' },
    crlf: { records: 2 },
    lf: { records: 2 },
    'trailing-eof': { records: 2 },
    'short-record': { records: 1, rejects: [{ line: 3, code: 'HUB_ERR_RECORD_LENGTH' }] },
    'long-record': { records: 1, rejects: [{ line: 3, code: 'HUB_ERR_RECORD_LENGTH' }] },
    'invalid-byte': { records: 1, rejects: [{ line: 3, code: 'HUB_ERR_INVALID_BYTES' }] },
    'no-trailer': { fails: 'HUB_ERR_NO_TRAILER' },
    'wrong-count': { fails: 'HUB_ERR_TRAILER_COUNT' },
  },
});
