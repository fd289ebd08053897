/**
 * The fast paths of mapping one row (issue 10): the one-pass check for NUL, surrogates and 外字
 * must find them in any column, 外字 must still be resolved, and a row mapped the fast way must
 * give exactly what the general way gives.
 */
import path from 'node:path';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { beforeAll, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/index.ts';
import { type MapState, mapItem, takeMeta } from '../../src/ingest/map-item.ts';
import { stableStringify } from '../../src/ingest/record-hash.ts';
import { requireMappingCatalog } from '../../src/mapping/catalog.ts';
import { compileMapping } from '../../src/mapping/compile.ts';
import { Address } from '../../src/schemas/address.ts';
import { HubDate } from '../../src/schemas/common.ts';
import { PersonName, PersonRecord, PersonStatus } from '../../src/schemas/person.ts';
import type { ReadItem } from '../../src/sdk/adapter.ts';
import { root, sampleBytes } from '../helpers/files.ts';

type RecordItem = Extract<ReadItem, { kind: 'record' }>;
type MetaItem = Extract<ReadItem, { kind: 'meta' }>;

const catalog = requireMappingCatalog(
  path.join(root, 'mappings'),
  adapters.map((a) => a.manifest.id),
);
const mapping = catalog.get('juki-standard-csv', 'person')!;
const check = TypeCompiler.Compile(PersonRecord, [HubDate, Address, PersonName, PersonStatus]);

let meta: MetaItem;
let records: RecordItem[];

beforeAll(async () => {
  records = [];
  const reader = adapters.find((a) => a.manifest.id === 'juki-standard-csv')!;
  async function* once() {
    yield sampleBytes();
  }
  for await (const item of reader.read(once(), { fileName: 'sample.csv', config: {} })) {
    if (item.kind === 'meta') meta = item;
    else if (item.kind === 'record') records.push(item);
  }
});

function newState(encoding = 'utf-8'): MapState {
  const state: MapState = {
    fields: [],
    mode: 'full',
    renamed: new Map(),
    known: new Set(),
    strictColumns: false,
    warnings: [],
    sources: new Set(),
  };
  takeMeta({ ...meta, encoding: encoding as MetaItem['encoding'] }, mapping, state);
  return state;
}

/** A copy of a record with some values changed, keyed like the reader keys it. */
function withValues(item: RecordItem, changes: Record<string, string>): RecordItem {
  const values: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(item.values)) values[k] = changes[k] ?? v;
  return { ...item, values };
}

/** The same values in another key order: the mapping reads them the general way. */
function reordered(item: RecordItem): RecordItem {
  const values: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(item.values).reverse()) values[k] = v;
  return { ...item, values };
}

describe('mapping one row the fast way', () => {
  it('gives exactly what the general way gives, for every row of the sample', () => {
    const fast = newState();
    const general = newState();
    for (const item of records) {
      const a = mapItem(item, mapping, check, fast, catalog);
      const b = mapItem(reordered(item), mapping, check, general, catalog);
      expect(a.kind).toBe(b.kind);
      if (a.kind === 'record' && b.kind === 'record') {
        expect(stableStringify(a.record)).toBe(stableStringify(b.record));
        expect(JSON.stringify(a.sources)).toBe(JSON.stringify(b.sources));
      } else expect(a).toEqual(b);
    }
  });

  it('writes each record as the first JSON implementation wrote it, 外字 and all', () => {
    const reference = (value: unknown): string => {
      if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
      if (value !== null && typeof value === 'object') {
        const entries = Object.entries(value as Record<string, unknown>)
          .filter(([, v]) => v !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
      }
      return JSON.stringify(value);
    };
    const state = newState('cp932');
    const variants = [
      ...records,
      withValues(records[0]!, { 市区町村コード: '999997', 氏名: '\ue000野　一郎' }),
      withValues(records[1]!, { 生年月日: '0000000', 生年月日_不詳表記: '年月日不詳' }),
      withValues(records[2]!, { 生年月日: '昭和55年3月5日', 生年月日_元号: '' }),
      withValues(records[3]!, { 生年月日: '1912-07-30', 生年月日_元号: '1' }),
      withValues(records[4]!, { 生年月日: '明治5年2月3日' }),
      withValues(records[5]!, { 住所を定めた年月日: '2019-02-29' }),
    ];
    let mapped = 0;
    for (const item of variants) {
      const m = mapItem(item, mapping, check, state, catalog);
      if (m.kind !== 'record') continue;
      mapped++;
      expect(stableStringify(m.record)).toBe(reference(m.record));
    }
    expect(mapped).toBeGreaterThan(records.length);
  });

  it('lays the record out with its keys in canonical order (the order of its JSON)', () => {
    const state = newState();
    const sorted = (o: object) => {
      const keys = Object.keys(o);
      expect(keys).toEqual([...keys].sort());
    };
    for (const item of records) {
      const m = mapItem(item, mapping, check, state, catalog);
      if (m.kind !== 'record') continue;
      const r = m.record as Record<string, Record<string, unknown>>;
      sorted(r);
      for (const k of ['name', 'address', 'insurance', 'extras', 'restrictions']) if (r[k]) sorted(r[k]);
    }
  });

  it.each([
    ['NUL', 'a\u0000b', 'NUL (U+0000)'],
    ['a lone high surrogate', 'a\ud842', '対のないサロゲート U+D842'],
    ['a lone low surrogate', '\udfb7b', '対のないサロゲート U+DFB7'],
  ])('finds %s in any column, read, kept or ignored, and names it', (_, bad, what) => {
    const state = newState();
    const columns = Object.keys(records[0]!.values);
    expect(columns.length).toBe(122);
    for (const [i, column] of columns.entries()) {
      const m = mapItem(withValues(records[0]!, { [column]: bad }), mapping, check, state, catalog);
      expect(m).toMatchObject({
        kind: 'reject',
        reject: { code: 'HUB_ERR_INVALID_CHARACTER', field: column, column: i + 1 },
      });
      if (m.kind === 'reject') expect(m.reject.message).toContain(what);
    }
  });

  it('maps a surrogate pair (𠮷) as the character it is', () => {
    const m = mapItem(withValues(records[0]!, { 氏名: '𠮷田　一郎' }), mapping, check, newState(), catalog);
    expect(m).toMatchObject({ kind: 'record', record: { name: { full: '𠮷田　一郎' } } });
  });

  it('still resolves 外字 of a CP932 file through the municipality table, and flags one it lacks', () => {
    const state = newState('cp932');
    const mapped = mapItem(
      withValues(records[0]!, { 市区町村コード: '999997', 氏名: '\ue000野　一郎', 氏_日本人: '\ue000野' }),
      mapping,
      check,
      state,
      catalog,
    );
    expect(mapped).toMatchObject({
      kind: 'record',
      record: {
        name: { full: '髙野　一郎', family: '髙野' },
        // found in the order the fields set them, as before
        gaiji: [
          { field: 'name.full', sjis: 'F040', unicode: '髙' },
          { field: 'name.family', sjis: 'F040', unicode: '髙' },
        ],
      },
    });
    const unmapped = mapItem(
      withValues(records[0]!, { 氏名: '甲\ue757　一郎' }),
      mapping,
      check,
      state,
      catalog,
    );
    expect(unmapped).toMatchObject({
      kind: 'record',
      record: { name: { full: '甲\ue757　一郎' }, needsReview: ['UNMAPPED_GAIJI'] },
    });
  });

  it('flags PUA in a UTF-8 file (no table applies), in a kept column too', () => {
    const m = mapItem(withValues(records[0]!, { 届出番号: '\ue001' }), mapping, check, newState(), catalog);
    expect(m).toMatchObject({
      kind: 'record',
      record: { extras: { 届出番号: '\ue001' }, needsReview: ['UNMAPPED_GAIJI'] },
    });
  });
});

describe('a mapping whose targets nest in one another', () => {
  it('is built field by field as before: a later nested target replaces an earlier value', () => {
    const m = compileMapping(
      {
        adapter: 'x',
        entity: 'person',
        key: ['id'],
        fields: { id: { from: 'ID' }, note: { from: 'A' }, 'note.text': { from: 'B' } },
      },
      new Map(),
    );
    expect(m.apply({ ID: '1', A: 'plain', B: 'nested' })).toEqual({
      kind: 'record',
      record: { id: '1', note: { text: 'nested' } },
      sources: { id: 'ID', note: 'A', 'note.text': 'B' },
    });
    expect(m.apply({ ID: '1', A: 'plain' })).toMatchObject({ record: { id: '1', note: 'plain' } });
  });
});
