import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

describe('fixed-width layout validation', () => {
  const layoutFile = (dir: string) => path.join(dir, 'juki-legacy-fixed', 'layout.yaml');
  it('names an overlap, a gap and a total that is not the record length', () => {
    const dir = copyMappings();
    const text = readFileSync(layoutFile(dir), 'utf8')
      .replace(
        '{ name: 世帯番号, start: 17, length: 15, pad: zero }',
        '{ name: 世帯番号, start: 16, length: 15, pad: zero }',
      )
      .replace('{ name: 作成時刻, start: 16, length: 6 }', '{ name: 作成時刻, start: 17, length: 6 }')
      .replace('{ name: 予備, start: 11, length: 390 }', '{ name: 予備, start: 11, length: 389 }');
    writeFileSync(layoutFile(dir), text);
    const messages = loadMappingCatalog(dir, ids).issues.map(formatIssue).join('\n');
    expect(messages).toMatch(/layout\.yaml:\d+:\d+: 世帯番号 starts at 16, overlapping bytes up to 16/);
    expect(messages).toMatch(/layout\.yaml:\d+:\d+: bytes 16–16 before 作成時刻 are not declared/);
    expect(messages).toMatch(/layout\.yaml:\d+:\d+: fields cover 399 bytes; the record length is 400/);
  });

  it('names a bad row of a 外字 table', () => {
    const dir = copyMappings();
    writeFileSync(
      path.join(dir, 'gaiji', '999997.csv'),
      'sjis,unicode,mj,reading,note\nF040,髙,,,\n8140,x,,,\nF040,y,,,\n',
    );
    const messages = loadMappingCatalog(dir, ids).issues.map(formatIssue).join('\n');
    expect(messages).toMatch(/999997\.csv:3:1: sjis "8140" is not a user-defined code/);
    expect(messages).toMatch(/999997\.csv:4:1: sjis F040 twice/);
  });
});
