/**
 * The per-row helpers made cheap for issue 10 give what their plain versions give: width folds
 * and trims against the regular expressions they replace, the record JSON against the first
 * implementation, memos stay bounded, ids keep their form.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.ts';
import { sha256Hex, stableStringify } from '../../src/ingest/record-hash.ts';
import { addressKey } from '../../src/normalize/address-key.ts';
import { kanaExactKey, kanaKey } from '../../src/normalize/kana.ts';
import { BoundedMemo, memoized } from '../../src/normalize/memo.ts';
import { nameExactKey, nameKey } from '../../src/normalize/name-key.ts';
import {
  digitsToAscii,
  fullWidthAsciiToHalf,
  hasNonSpace,
  isSpaceCode,
  trimAll,
} from '../../src/normalize/width.ts';

/** The first implementation of the record JSON, kept as the reference. */
function referenceStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(referenceStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${referenceStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const samples = [
  'abc',
  '',
  ' 　甲野　一郎 \t',
  '\u3000',
  '１２３４５６７８９０',
  'ＡＢＣ！～　x',
  '〒９９９－０００１',
  'ｺｳﾉ ｲﾁﾛｳ',
  '\u00a0a\u2028',
  '\ufeffx\ufeff',
  'a"b\\c\n\u0001\u007f\u2028',
  '𠮷田',
  'lone \ud842 high',
  'lone \udfb7 low',
];

describe('width folds and trims without regular expressions', () => {
  it('isSpaceCode is what \\s matches, for every UTF-16 code unit', () => {
    const differ: string[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      if (isSpaceCode(c) !== /[\s\u3000]/.test(String.fromCharCode(c))) differ.push(c.toString(16));
    }
    expect(differ).toEqual([]);
  });

  it.each(samples)('gives what the regular expressions give for %j', (s) => {
    expect(trimAll(s)).toBe(s.replace(/^[\s\u3000]+|[\s\u3000]+$/g, ''));
    expect(hasNonSpace(s)).toBe(s.replace(/^[\s\u3000]+|[\s\u3000]+$/g, '') !== '');
    expect(digitsToAscii(s)).toBe(
      s.replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)),
    );
    expect(fullWidthAsciiToHalf(s)).toBe(
      s.replace(/[！-～]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' '),
    );
  });
});

describe('the record JSON', () => {
  const values: unknown[] = [
    { b: 1, a: { d: [1, 'x', null, { z: true, y: false }], c: 'ｶﾅ' }, e: undefined },
    { '10': 'ten', '2': 'two', b: 'b', A: 'A', _: '_', あ: 'あ', 髙: '髙', 𠮷: '𠮷' },
    // biome-ignore lint/suspicious/noSparseArray: a hole is one of the cases
    [1, , undefined, () => 1, Symbol('s'), Number.NaN, -0, Number.POSITIVE_INFINITY],
    { f: () => 1, s: Symbol('s'), n: null, d: new Date(0), m: new Map([[1, 2]]) },
    Object.assign(Object.create(null), { z: 1, y: { x: 'w' } }),
    samples,
    Object.fromEntries(samples.map((s, i) => [s, i])),
    { a: 1, b: { c: [1, 'two', { d: null, e: undefined }], f: 'g' }, h: undefined },
    { a: { toJSON: 'not a function' }, b: { toJSON: () => 'x' } },
    { a: new Date(0), b: [new Date(0)], c: Object(1), d: new (class Point {})() },
    { a: [[], {}, [[1]]], b: Number.NaN },
    'top',
    42,
    null,
    undefined,
    [],
    {},
  ];

  it.each(values.map((v, i) => [i, v]))('case %i is written as the first implementation wrote it', (_, v) => {
    expect(stableStringify(v)).toBe(referenceStringify(v));
  });

  it('hashes the UTF-8 of the text as a Hash object does', () => {
    for (const s of samples) expect(sha256Hex(s)).toBe(createHash('sha256').update(s).digest('hex'));
  });
});

describe('memos', () => {
  it('hold at most their limit and keep what is in use', () => {
    const memo = new BoundedMemo<number>(100);
    memo.set('hot', 1);
    for (let i = 0; i < 10_000; i++) {
      memo.set(`k${i}`, i);
      expect(memo.get('hot')).toBe(1);
      expect(memo.size).toBeLessThanOrEqual(100);
    }
    expect(memo.get('k0')).toBeUndefined();
    expect(memo.get('k9999')).toBe(9999);
  });

  it('a memoized function answers as the function does and stays bounded', () => {
    let calls = 0;
    const upper = memoized((s) => {
      calls++;
      return s.toUpperCase();
    }, 10);
    expect(upper('a')).toBe('A');
    expect(upper('a')).toBe('A');
    expect(calls).toBe(1);
    for (let i = 0; i < 1000; i++) upper(`x${i}`);
    expect(upper.memo.size).toBeLessThanOrEqual(10);
  });

  it('the search keys are memoized with a bound', () => {
    for (let i = 0; i < 50_000; i++) {
      const s = `ｺｳﾉ${i}`;
      kanaKey(s);
      kanaExactKey(s);
      nameKey(s);
      nameExactKey(s);
      addressKey(s);
    }
    for (const f of [kanaKey, kanaExactKey, nameKey, nameExactKey, addressKey]) {
      expect(f.memo.size).toBeLessThanOrEqual(20_000);
    }
    expect(kanaKey('ｺｳﾉ　ｲﾁﾛｳ')).toBe('コウノイチロウ');
    expect(nameKey('髙橋　一郎')).toBe('高橋一郎');
  });
});

describe('ids', () => {
  it('keep their form and do not repeat', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const id = newId('per');
      expect(id).toMatch(/^per_[0-9a-z]{9}[0-9a-f]{16}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(20_000);
  });
});
