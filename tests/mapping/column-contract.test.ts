import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/index.ts';
import { loadMappingCatalog } from '../../src/mapping/catalog.ts';
import { columnContract, columnKey } from '../../src/mapping/column-contract.ts';
import { formatIssue } from '../../src/mapping/yaml-file.ts';
import { root } from '../helpers/files.ts';

const ids = adapters.map((a) => a.manifest.id);

function withMapping(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-mappings-'));
  cpSync(path.join(root, 'mappings'), dir, { recursive: true });
  writeFileSync(path.join(dir, 'juki-standard-csv', 'person.mapping.yaml'), text);
  return dir;
}

describe('column names and the column contract of a mapping', () => {
  it('compares names after NFKC, without spaces, with one hyphen', () => {
    expect(columnKey('転出年月日(確定)')).toBe(columnKey('転出年月日（確定）'));
    expect(columnKey('氏名＿フリガナ')).toBe(columnKey('氏名_フリガナ'));
    expect(columnKey(' 氏名　フリガナ ')).toBe(columnKey('氏名フリガナ'));
    expect(columnKey('ｼﾒｲ')).toBe(columnKey('シメイ'));
    expect(columnKey('住所‐番地')).toBe(columnKey('住所-番地'));
    expect(columnKey('氏名_フリガナ')).not.toBe(columnKey('氏名フリガナ'));
  });

  it('plans a header: renamed, unknown, missing and one column under two spellings', () => {
    const contract = columnContract(['氏名', '氏名_フリガナ', '転入前住所_都道府県'], ['氏名'], {
      転入前住所_都道府県: ['転入前_都道府県'],
    });
    const plan = contract.plan(['氏名＿フリガナ', '転入前_都道府県', '備考']);
    expect(plan.names).toEqual(['氏名_フリガナ', '転入前住所_都道府県', '備考']);
    expect([...plan.renamed]).toEqual([
      ['氏名＿フリガナ', '氏名_フリガナ'],
      ['転入前_都道府県', '転入前住所_都道府県'],
    ]);
    expect(plan.unknown).toEqual(['備考']);
    expect(plan.missing).toEqual(['氏名']);
    expect(contract.plan(['氏名', '氏名_フリガナ', '氏名＿フリガナ']).conflicts).toEqual([
      { column: '氏名＿フリガナ', other: '氏名_フリガナ', as: '氏名_フリガナ' },
    ]);
  });

  it('refuses an alias of a column the mapping does not read, and two names of one column', () => {
    const dir = withMapping(`adapter: juki-standard-csv
entity: person
key: [atenaNo]
keep: [備考]
ignore: [氏名＿フリガナ]
aliases:
  宛名番号: [atena]
  世帯番号: [setai]
fields:
  atenaNo: { from: 宛名番号 }
  kana: { from: 氏名_フリガナ }
`);
    const { issues, catalog } = loadMappingCatalog(dir, ids);
    expect(catalog).toBeUndefined();
    const text = issues.map(formatIssue).join('\n');
    expect(text).toMatch(/person\.mapping\.yaml:5:\d+: "氏名＿フリガナ" is also "氏名_フリガナ"/);
    expect(text).toMatch(
      /person\.mapping\.yaml:8:\d+: "世帯番号" is not a column this mapping reads or keeps/,
    );
    expect(text).not.toContain('宛名番号" is not');
  });
});
