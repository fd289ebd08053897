import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cp932Repertoire } from '../../src/parsers/cp932.ts';
import { decodeCp932Field } from '../../src/parsers/cp932-fields.ts';
import { decodeBytes } from '../../src/parsers/decode.ts';
import { encodeCp932 } from '../../src/parsers/encode.ts';

const repertoire = cp932Repertoire();

/** What decodeBytes says of the same bytes, in decodeCp932Field's terms. */
function reference(bytes: Uint8Array): string | undefined {
  const d = decodeBytes(bytes, 'cp932');
  return 'text' in d ? d.text : undefined;
}

describe('CP932 field decoding by table', () => {
  it('decodes every CP932 character, 外字 and control bytes included, exactly as decodeBytes does', () => {
    for (const ch of repertoire) {
      const bytes = encodeCp932(ch);
      expect(decodeCp932Field(bytes, 0, bytes.length), ch).toBe(reference(bytes));
    }
    const controls = Uint8Array.from([0x00, 0x1a, 0x1c, 0x7f, 0x5c, 0x7e]);
    expect(decodeCp932Field(controls, 0, controls.length)).toBe(reference(controls));
  });

  it('agrees with decodeBytes on arbitrary bytes, giving undefined where they are invalid', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        expect(decodeCp932Field(bytes, 0, bytes.length)).toBe(reference(bytes));
      }),
      { numRuns: 5000 },
    );
  });

  it('decodes only the byte range asked for, and a lead byte cut at its end is not a character', () => {
    const bytes = Buffer.concat([encodeCp932('山田'), Buffer.from([0x88])]);
    expect(decodeCp932Field(bytes, 2, 4)).toBe('田');
    expect(decodeCp932Field(bytes, 2, 5)).toBeUndefined();
  });
});
