import { describe, expect, it } from 'vitest';
import { coalesced } from '../../src/store/coalesce.ts';

describe('coalesced lookups', () => {
  it('answers lookups of one turn with one load, each caller its own answer', async () => {
    const loads: string[][] = [];
    const get = coalesced(async (keys: string[]) => {
      loads.push(keys);
      return new Map(keys.filter((k) => k !== 'gone').map((k) => [k, k.toUpperCase()]));
    });
    const answers = await Promise.all(['a', 'b', 'a', 'gone'].map(get));
    expect(answers).toEqual(['A', 'B', 'A', undefined]);
    expect(loads).toEqual([['a', 'b', 'gone']]);
    expect(await get('c')).toBe('C');
    expect(loads).toHaveLength(2);
  });

  it('fails every caller of a load that fails, and the next turn loads again', async () => {
    let fail = true;
    const get = coalesced(async (keys: string[]) => {
      if (fail) throw new Error('down');
      return new Map(keys.map((k) => [k, k]));
    });
    const results = await Promise.allSettled([get('a'), get('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await get('a')).toBe('a');
  });
});
