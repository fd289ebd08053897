import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapters, writers } from '../../adapters/index.ts';
import { requireMappingCatalog } from '../../src/mapping/catalog.ts';
import { decodeBytes } from '../../src/parsers/decode.ts';
import { root } from '../helpers/files.ts';

const jidou = writers.find((w) => w.manifest.id === 'jidou-teate-seikyu-csv')!;
const juki = writers.find((w) => w.manifest.id === 'juki-idou-csv')!;

const submission = {
  id: 'sub_test',
  formId: 'jidouteate',
  createdAt: '2026-04-01T00:00:00.000Z',
  record: {
    values: {
      claimedOn: '2026-04-01',
      claimantName: '\ue757野　次郎',
      claimantBirthDate: { iso: '1980-04-01', unknown: false },
      'childName@c1': '山田　一郎',
      'childBirthDate@c1': { iso: null, unknown: true, label: '平成26年月日不詳' },
      'childRelationship@c1': '子',
      'livingTogether@c1': '同居',
      'childName@c2': '山田, "二葉"',
      'childBirthDate@c2': { iso: '2017-09-01', unknown: false },
    },
    persons: [
      { id: 'c2', order: 5 },
      { id: 'c1', order: 4 },
      { id: 'p', order: 1 },
    ],
  },
};

describe('write adapters', () => {
  it('writes CP932 with an unmapped 外字 as its original bytes, one row per child in order', () => {
    const out = jidou.write([submission], {});
    expect(out.rows).toBe(2);
    expect(out.bytes.includes(Buffer.from([0xf9, 0xfc]))).toBe(true);
    const text = decodeBytes(out.bytes, 'cp932');
    if (!('text' in text)) throw new Error('not CP932');
    const lines = text.text.trim().split('\r\n');
    expect(lines[1]).toBe(
      'sub_test,2026-04-01,,\ue757野　次郎,,1980-04-01,,山田　一郎,平成26年月日不詳,子,同居,,,,,',
    );
    expect(lines[2]!.split(',').slice(7, 9)).toEqual(['"山田', ' ""二葉"""']);
  });

  it('writes a character of the municipality’s 外字 table back as its CP932 code', () => {
    const table = requireMappingCatalog(
      path.join(root, 'mappings'),
      adapters.map((a) => a.manifest.id),
    ).gaiji('999997')!;
    const named = {
      ...submission,
      record: {
        ...submission.record,
        values: { ...submission.record.values, claimantName: '\u{20BB7}田　花子' },
      },
    };
    const out = jidou.write([named], { gaiji: table.reverse });
    expect(out.bytes.includes(Buffer.from([0xf9, 0x41, 0x93, 0x63]))).toBe(true);
  });

  it('writes a character CP932 lacks as an error, never as ?', () => {
    const bad = {
      ...submission,
      record: { ...submission.record, values: { ...submission.record.values, claimantName: '😀' } },
    };
    expect(() => jidou.write([bad], {})).toThrow(/CP932/);
  });

  it('writes UTF-8 with BOM and CRLF for 住記', () => {
    const out = juki.write(
      [
        {
          ...submission,
          formId: 'juminidou',
          record: { values: { 'name@p': '甲野' }, persons: [{ id: 'p', order: 1 }] },
        },
      ],
      {},
    );
    expect([...out.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(out.bytes.toString('utf8')).toContain('\r\nsub_test,');
  });
});
