import { describe, expect, it } from 'vitest';
import { halfKanaToFull } from '../../src/mapping/transforms.ts';
import {
  isPlausibleResidentCode,
  isValidLocalGovCode,
  isValidM11W27,
  isValidMyNumber,
  m11w27CheckDigit,
} from '../../src/normalize/check-digits.ts';
import { hiraganaToKatakana, kanaExactKey, kanaKey } from '../../src/normalize/kana.ts';
import { nameKey } from '../../src/normalize/name-key.ts';
import { digitsToAscii, fullWidthAsciiToHalf, trimAll } from '../../src/normalize/width.ts';

describe('kana and width', () => {
  it('folds katakana, hiragana and half-width kana to one search key', () => {
    expect(kanaKey('コウノ　イチロウ')).toBe('コウノイチロウ');
    expect(kanaKey('こうの いちろう')).toBe('コウノイチロウ');
    expect(kanaKey('ｺｳﾉ ｲﾁﾛｳ')).toBe('コウノイチロウ');
    expect(kanaExactKey('ｶﾞｯｺｳ')).toBe('ガッコウ');
    expect(kanaKey('ｶﾞｯｺｳ')).toBe('ガツコウ');
    expect(kanaKey('ﾊﾟﾝ')).toBe('パン');
  });
  it('composes half-width dakuten without touching other characters', () => {
    expect(halfKanaToFull('ｺﾞｳﾉ　ABC１')).toBe('ゴウノ　ABC１');
    expect(halfKanaToFull('ﾎﾟｰﾙ')).toBe('ポール');
  });
  it('converts hiragana to katakana', () => {
    expect(hiraganaToKatakana('ぁゔゝ')).toBe('ァヴヽ');
  });
  it('normalises digits and spaces', () => {
    expect(digitsToAscii('９９９０００１')).toBe('9990001');
    expect(fullWidthAsciiToHalf('ＡＢ　１')).toBe('AB 1');
    expect(trimAll('　 甲野 　')).toBe('甲野');
    expect(nameKey('甲野　一郎')).toBe('甲野一郎');
  });
});

describe('check digits', () => {
  it('accepts the published valid 個人番号 and rejects a changed digit', () => {
    expect(isValidMyNumber('123456789018')).toBe(true);
    expect(isValidMyNumber('983205673214')).toBe(true);
    expect(isValidMyNumber('123456789012')).toBe(false);
    expect(isValidMyNumber('12345678901')).toBe(false);
  });
  it('checks 地方公共団体コード', () => {
    for (const c of ['131016', '011002', '271004', '130001', '140007'])
      expect(isValidLocalGovCode(c), c).toBe(true);
    expect(isValidLocalGovCode('131017')).toBe(false);
  });
  it('computes M11W2-7 for 宛名番号 (remainder 0 gives 0)', () => {
    expect(m11w27CheckDigit('1')).toBe(9);
    expect(isValidM11W27('19')).toBe(true);
    expect(isValidM11W27('18')).toBe(false);
    expect(m11w27CheckDigit('0')).toBe(0);
  });
  it('treats 住民票コード check digits as plausible or not', () => {
    expect(isPlausibleResidentCode('12345678901')).toBe(isPlausibleResidentCode('12345678901'));
    expect(isPlausibleResidentCode('1234567890')).toBe(false);
  });
});
