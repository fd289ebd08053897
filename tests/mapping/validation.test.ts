import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/index.ts';
import { loadMappingCatalog } from '../../src/mapping/catalog.ts';
import { formatIssue } from '../../src/mapping/yaml-file.ts';
import { root } from '../helpers/files.ts';

function copyMappings(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-mappings-'));
  cpSync(path.join(root, 'mappings'), dir, { recursive: true });
  return dir;
}

const ids = adapters.map((a) => a.manifest.id);
const mappingFile = (dir: string) => path.join(dir, 'juki-standard-csv', 'person.mapping.yaml');

describe('mapping validation', () => {
  it('names file, line and column of an unknown transform', () => {
    const dir = copyMappings();
    const text = `adapter: juki-standard-csv
entity: person
key: [atenaNo]
fields:
  atenaNo: { from: 宛名番号, transforms: [trim, shout] }
`;
    writeFileSync(mappingFile(dir), text);
    const { issues, catalog } = loadMappingCatalog(dir, ids);
    expect(catalog).toBeUndefined();
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]).toMatchObject({ line: 5, column: 45 });
    expect(issues[0]!.message).toContain('"stripLeadingZeros"');
    expect(formatIssue(issues[0]!)).toMatch(/person\.mapping\.yaml:5:45: \/fields\/atenaNo\/transforms\/1/);
  });

  it('names an unknown code table and an unknown adapter', () => {
    const dir = copyMappings();
    writeFileSync(
      mappingFile(dir),
      `adapter: juki-standard-csv
entity: person
key: [status]
fields:
  status: { from: 住民状態, transforms: [{ code: no-such-table }] }
`,
    );
    const { issues } = loadMappingCatalog(dir, ids);
    expect(issues.map(formatIssue).join('\n')).toMatch(
      /person\.mapping\.yaml:5:\d+: unknown code table "no-such-table"/,
    );
    const other = loadMappingCatalog(copyMappings(), ['something-else']);
    expect(other.issues.map((i) => i.message)).toContain('unknown adapter "juki-standard-csv"');
  });

  it('names a YAML syntax error with its place', () => {
    const dir = copyMappings();
    writeFileSync(mappingFile(dir), 'adapter: juki-standard-csv\nentity: [person\n');
    const { issues } = loadMappingCatalog(dir, ids);
    expect(issues[0]!.line).toBeGreaterThanOrEqual(2);
    expect(issues[0]!.file).toContain('person.mapping.yaml');
  });

  it('asks for a test beside every mapping', () => {
    const dir = copyMappings();
    writeFileSync(path.join(dir, 'juki-standard-csv', 'person.mapping.test.yaml'), 'mapping: x\ncases: []\n');
    const { issues } = loadMappingCatalog(dir, ids);
    expect(issues.map(formatIssue).join('\n')).toMatch(
      /person\.mapping\.test\.yaml:3:\d+|person\.mapping\.test\.yaml:2:\d+/,
    );
  });

  it('checks that a code table is named after its file', () => {
    const dir = copyMappings();
    writeFileSync(path.join(dir, 'codes', 'sex.yaml'), 'name: gender\ncodes: { "1": "1" }\n');
    const { issues } = loadMappingCatalog(dir, ids);
    expect(issues.map(formatIssue).join('\n')).toMatch(/sex\.yaml:1:7: name must be "sex"/);
  });
});
