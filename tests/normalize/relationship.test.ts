import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RELATIONSHIP_LABELS,
  relationshipCodes,
  relationshipLabel,
} from '../../src/normalize/relationship.ts';

describe('続柄 chains', () => {
  it('writes and reads chains of up to four links', () => {
    expect(relationshipLabel(['20', '12'])).toEqual({ label: '子の妻' });
    expect(relationshipLabel(['20', '20', '20', '20'])).toEqual({ label: '子の子の子の子' });
    expect(relationshipCodes('子の妻')).toEqual({ codes: ['20', '12'] });
    expect(relationshipCodes('妻(未届)')).toEqual({ codes: ['14'] });
    expect(relationshipCodes('世帯主')).toEqual({ codes: ['02'] });
  });
  it('refuses five links, unknown codes and chained 世帯主/縁故者/同居人', () => {
    expect(relationshipLabel(['20', '20', '20', '20', '20'])).toMatchObject({ error: 'too-long' });
    expect(relationshipCodes('子の子の子の子の子')).toMatchObject({ error: 'too-long' });
    expect(relationshipLabel(['20', '33'])).toEqual({ error: 'unknown-code', at: 1 });
    expect(relationshipLabel(['20', '96'])).toMatchObject({ error: 'standalone' });
    expect(relationshipCodes('祖父')).toMatchObject({ error: 'unknown-label' });
    expect(relationshipCodes('子（祖父）')).toMatchObject({ error: 'unknown-label' });
  });
  it('label ⇄ codes round-trips for every chain', () => {
    const links = Object.keys(RELATIONSHIP_LABELS).filter((c) => !['02', '96', '99'].includes(c));
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...links), { minLength: 1, maxLength: 4 }), (codes) => {
        const l = relationshipLabel(codes);
        expect('label' in l).toBe(true);
        if ('label' in l) expect(relationshipCodes(l.label)).toEqual({ codes });
      }),
      { numRuns: 1000 },
    );
  });
});
