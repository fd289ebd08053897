import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressKey, kanjiNumber, sameAddress } from '../../src/normalize/address-key.ts';
import { kanaExactKey, kanaKey } from '../../src/normalize/kana.ts';
import { nameExactKey, nameKey, nameVariants } from '../../src/normalize/name-key.ts';

describe('name search keys', () => {
  it.each([
    ['斉\u{E0103}藤', '斉藤'],
    ['齋藤', '斉藤'],
    ['齊藤', '斉藤'],
    ['斎藤', '斉藤'],
    ['髙橋', '高橋'],
    ['渡邉', '渡辺'],
    ['渡邊', '渡辺'],
    ['𠮷田', '吉田'],
    ['山﨑', '山崎'],
    ['德永', '徳永'],
    ['濵田', '浜田'],
    ['甲野　一郎', '甲野一郎'],
  ])('folds %s to the key of %s', (variant, common) => {
    expect(nameKey(variant)).toBe(nameKey(common));
  });

  it('keeps the name as written in the exact key (IVS and all), spaces aside', () => {
    expect(nameExactKey('斉\u{E0103}藤　花子')).toBe('斉\u{E0103}藤花子');
    expect(nameExactKey('斉\u{E0103}藤')).not.toBe(nameExactKey('斉藤'));
  });

  it('folds to a fixed point: a key is its own key', () => {
    const sources = [...nameVariants().keys()];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...sources), { minLength: 1, maxLength: 4 }), (chars) => {
        const key = nameKey(chars.join(''));
        expect(nameKey(key)).toBe(key);
      }),
      { numRuns: 500 },
    );
  });

  it('does not fold common characters that are not variants of each other', () => {
    expect(nameKey('高')).not.toBe(nameKey('崎'));
    expect(nameKey('田中')).toBe('田中');
    expect(nameKey('辺')).toBe('辺');
  });
});

describe('kana search keys', () => {
  it('folds small kana, ヴ, ー and 〜 the way 名寄せ does', () => {
    expect(kanaKey('キユウ')).toBe(kanaKey('キュウ'));
    expect(kanaKey('きゅう')).toBe(kanaKey('ｷﾕｳ'));
    expect(kanaKey('ヴァイオリン')).toBe(kanaKey('バイオリン'));
    expect(kanaKey('ヴ')).toBe('ブ');
    expect(kanaKey('ケ〜コ')).toBe(kanaKey('ケーコ'));
    expect(kanaKey('ケ～コ')).toBe(kanaKey('ケーコ'));
    expect(kanaKey('ヲノ')).toBe(kanaKey('オノ'));
    expect(kanaExactKey('キュウ')).not.toBe(kanaExactKey('キユウ'));
  });

  it('gives hiragana, katakana and half-width kana one key', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[ぁ-ゖ]{1,8}$/), (hira) => {
        const kata = hira.replace(/[ぁ-ゖ]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
        expect(kanaKey(hira)).toBe(kanaKey(kata));
        expect(kanaKey(kanaKey(kata))).toBe(kanaKey(kata));
      }),
    );
  });
});

describe('address match keys', () => {
  it('gives one key to every spelling of one place', () => {
    const key = addressKey('茅ケ崎市東海岸北1-2-3');
    for (const spelling of [
      '神奈川県茅ヶ崎市東海岸北一丁目２番３号',
      '茅ヵ崎市東海岸北１丁目２－３',
      '茅ケ崎市　東海岸北1丁目2番地3',
      '神奈川県茅ケ崎市東海岸北1‐2‐3',
    ]) {
      expect(addressKey(spelling), spelling).toBe(key);
    }
    expect(addressKey('千代田区三番町5番地の2')).toBe(addressKey('千代田区三番町5-2'));
  });

  it('reads kanji numerals', () => {
    expect([
      kanjiNumber('三'),
      kanjiNumber('十二'),
      kanjiNumber('二十'),
      kanjiNumber('百五'),
      kanjiNumber('二〇三'),
    ]).toEqual([3, 12, 20, 105, 203]);
  });

  it('matches a key that lacks the city only when it still holds a 町字 and a number', () => {
    expect(sameAddress(addressKey('茅ヶ崎市東海岸北一丁目２番３号'), addressKey('東海岸北1-2-3'))).toBe(true);
    expect(sameAddress(addressKey('茅ヶ崎市東海岸北一丁目２番３号'), addressKey('2-3'))).toBe(false);
    expect(
      sameAddress(addressKey('茅ヶ崎市東海岸北一丁目２番３号'), addressKey('茅ヶ崎市東海岸北一丁目２番４号')),
    ).toBe(false);
    expect(sameAddress('', '')).toBe(false);
  });
});
