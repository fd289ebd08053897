import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  RELATIONSHIP_LABELS,
  relationshipCodes,
  relationshipLabel,
} from '../../src/normalize/relationship.ts';

const links = Object.keys(RELATIONSHIP_LABELS).filter((c) => !['02', '96', '99'].includes(c));
const chain = fc.array(fc.constantFrom(...links), { minLength: 1, maxLength: 4 });
const label = (codes: string[]) => (relationshipLabel(codes) as { label: string }).label;
/** 子 as written before 平成7年: 長男, 二女, 次男, 十一女 … */
const numberedChild = fc
  .tuple(fc.constantFrom('長', '次', '二', '三', '四', '五', '十', '十一'), fc.constantFrom('男', '女'))
  .map(([n, s]) => n + s);

describe('続柄 labels as a grammar', () => {
  it.each([
    ['世帯主の子', ['20']],
    ['子（子の妻）', ['20']],
    ['子(子の夫)', ['20']],
    ['子の妻', ['20', '12']],
    ['妻の母', ['12', '52']],
    ['夫の子', ['11', '20']],
    ['長男', ['20']],
    ['長女', ['20']],
    ['二男', ['20']],
    ['三女', ['20']],
    ['長男の妻', ['20', '12']],
    ['縁故者', ['96']],
    ['同居人', ['99']],
    ['世帯主の縁故者', ['96']],
    ['孫', ['20', '20']],
    ['嫁', ['20', '12']],
    ['ｺ', undefined],
  ])('reads %s', (text, codes) => {
    const read = relationshipCodes(text);
    if (codes) expect(read).toEqual({ codes });
    else expect(read).toHaveProperty('error');
  });

  it('「世帯主の」 before a chain says nothing more', () => {
    fc.assert(
      fc.property(chain, (codes) => {
        expect(relationshipCodes(`世帯主の${label(codes)}`)).toEqual({ codes });
      }),
      { numRuns: 300 },
    );
  });

  it('width, spaces and half-width parentheses do not change a chain', () => {
    fc.assert(
      fc.property(chain, fc.constantFrom(' ', '\u3000', ''), (codes, space) => {
        const printed = label(codes)
          .replace(/（/g, '(')
          .replace(/）/g, ')')
          .split('の')
          .join(`${space}の${space}`);
        expect(relationshipCodes(printed)).toEqual({ codes });
      }),
      { numRuns: 300 },
    );
  });

  it('a legacy numbered child reads as 子 anywhere in a chain', () => {
    fc.assert(
      fc.property(chain, fc.nat(), numberedChild, (codes, at, word) => {
        const withChild = codes.map((c, i) => (i === at % codes.length ? '20' : c));
        const parts = label(withChild).split('の');
        parts[at % codes.length] = word;
        expect(relationshipCodes(parts.join('の'))).toEqual({ codes: withChild });
      }),
      { numRuns: 300 },
    );
  });

  it('子（chain） is a 子 whenever the annotation is itself a chain', () => {
    fc.assert(
      fc.property(chain, (codes) => {
        expect(relationshipCodes(`子（${label(codes)}）`)).toEqual({ codes: ['20'] });
      }),
      { numRuns: 200 },
    );
  });

  it('never answers with more than four links or a chained 世帯主/縁故者/同居人', () => {
    const words = fc.constantFrom(...Object.values(RELATIONSHIP_LABELS), '長男', '孫', '嫁', '祖父', '');
    fc.assert(
      fc.property(fc.array(words, { minLength: 1, maxLength: 6 }), (parts) => {
        const read = relationshipCodes(parts.join('の'));
        if ('codes' in read) {
          expect(read.codes.length).toBeGreaterThan(0);
          expect(read.codes.length).toBeLessThanOrEqual(4);
          if (read.codes.length > 1)
            expect(read.codes.some((c) => ['02', '96', '99'].includes(c))).toBe(false);
          for (const c of read.codes) expect(RELATIONSHIP_LABELS[c]).toBeDefined();
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('mappings/codes/relationship.yaml lists the same codes and labels', () => {
    const table = parse(readFileSync('mappings/codes/relationship.yaml', 'utf8')) as {
      labels: Record<string, string>;
    };
    expect(table.labels).toEqual(RELATIONSHIP_LABELS);
  });
});
