import { describe, expect, it } from 'vitest';
import { KeyLines } from '../../src/ingest/key-lines.ts';

describe('KeyLines', () => {
  it('answers the first line of every key seen again, across growth, and nothing for new keys', () => {
    const seen = new KeyLines();
    const n = 200_000;
    for (let i = 0; i < n; i++)
      expect(seen.firstOrAdd(`142077:${String(i).padStart(12, '0')}`, i + 2)).toBeUndefined();
    for (let i = 0; i < n; i += 997)
      expect(seen.firstOrAdd(`142077:${String(i).padStart(12, '0')}`, 9)).toBe(i + 2);
    // keys that differ only in order or in one character are different keys
    expect(seen.firstOrAdd('ab:1', 1)).toBeUndefined();
    expect(seen.firstOrAdd('ba:1', 2)).toBeUndefined();
    expect(seen.firstOrAdd('ab:2', 3)).toBeUndefined();
    expect(seen.firstOrAdd('ab:1', 4)).toBe(1);
  });
});
