import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cp932Repertoire, cp932UserDefinedToPua, puaToCp932UserDefined } from '../../src/parsers/cp932.ts';
import { decodeBytes } from '../../src/parsers/decode.ts';
import { encodeCp932, UnencodableError } from '../../src/parsers/encode.ts';

const runs = { numRuns: 2000 };
const repertoire = cp932Repertoire();

describe('CP932 encoding and decoding', () => {
  it('decodes all 1,880 user-defined codes F040–F9FC to U+E000–U+E757 and encodes them back', () => {
    let n = 0;
    for (let lead = 0xf0; lead <= 0xf9; lead++) {
      for (let trail = 0x40; trail <= 0xfc; trail++) {
        if (trail === 0x7f) continue;
        const bytes = Buffer.from([lead, trail]);
        const decoded = decodeBytes(bytes, 'cp932');
        expect(decoded).toEqual({ text: String.fromCodePoint(cp932UserDefinedToPua(lead, trail)) });
        if (!('text' in decoded)) continue;
        expect(encodeCp932(decoded.text).equals(bytes)).toBe(true);
        n++;
      }
    }
    expect(n).toBe(1880);
    expect(puaToCp932UserDefined(0xe000)).toEqual([0xf0, 0x40]);
    expect(puaToCp932UserDefined(0xe757)).toEqual([0xf9, 0xfc]);
    expect(puaToCp932UserDefined(0xe758)).toBeUndefined();
  });

  it('holds every valid character, 外字 included', () => {
    expect(repertoire.length).toBeGreaterThan(7000 + 1880);
  });

  it('decode ∘ encode is identity over strings of every valid character', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...repertoire), { maxLength: 40 }), (chars) => {
        const text = chars.join('');
        const decoded = decodeBytes(encodeCp932(text), 'cp932');
        expect(decoded).toEqual({ text });
      }),
      runs,
    );
  });

  it('encodes each character of the repertoire and decodes it back', () => {
    for (const ch of repertoire) {
      const r = decodeBytes(encodeCp932(ch), 'cp932');
      if (!('text' in r) || r.text !== ch)
        throw new Error(`U+${ch.codePointAt(0)!.toString(16)} does not round-trip`);
    }
  });

  it('never writes ? for a character CP932 lacks', () => {
    expect(() => encodeCp932('甲野😀')).toThrow(UnencodableError);
    expect(() => encodeCp932('\u{20BB7}')).toThrow(/U\+20BB7/);
  });

  it('writes a character from the 外字 table, with its IVS, as the table code', () => {
    const gaiji = new Map([
      ['\u{20BB7}', 0xf941],
      ['葛\u{E0100}', 0xf040],
    ]);
    expect(encodeCp932('\u{20BB7}田', gaiji).toString('hex')).toBe('f9419363');
    expect(encodeCp932('葛\u{E0100}西', gaiji).toString('hex')).toBe('f04090bc');
  });

  it('decodes EUC-JP-MS user-defined F5A1–FEFE to U+E000–U+E3AB', () => {
    expect(decodeBytes(Buffer.from([0xa4, 0xa2, 0xf5, 0xa1, 0xfe, 0xfe, 0x41]), 'euc-jp')).toEqual({
      text: 'あ\ue000\ue3abA',
    });
    expect(decodeBytes(Buffer.from([0x41, 0xa4]), 'euc-jp')).toMatchObject({ invalid: { offset: 1 } });
  });
});
