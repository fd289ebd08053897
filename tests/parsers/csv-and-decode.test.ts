import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { CsvRecordParser } from '../../src/parsers/csv.ts';
import { decodeBytes, detectEncoding } from '../../src/parsers/decode.ts';
import { splitLines } from '../../src/parsers/lines.ts';

function parse(lines: string[]) {
  const p = new CsvRecordParser();
  const out = lines.flatMap((l, i) => p.pushLine(l, i + 1));
  return [...out, ...p.end()];
}

describe('CSV records', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    expect(parse(['a,"b,c","d""e"', '"multi', 'line",x', 'last,'])).toEqual([
      { kind: 'record', fields: ['a', 'b,c', 'd"e'], startLine: 1, endLine: 1 },
      { kind: 'record', fields: ['multi\nline', 'x'], startLine: 2, endLine: 3 },
      { kind: 'record', fields: ['last', ''], startLine: 4, endLine: 4 },
    ]);
  });
  it('rejects a character after a closing quote and resumes on the next line', () => {
    const out = parse(['1,"2"x,3', '4,5,6']);
    expect(out[0]).toMatchObject({ kind: 'error', startLine: 1, column: 2 });
    expect(out[1]).toEqual({ kind: 'record', fields: ['4', '5', '6'], startLine: 2, endLine: 2 });
  });
  it('rejects an unclosed quote and keeps the lines after it', () => {
    const out = parse(['1,"open', '2,3', '4,5']);
    expect(out[0]).toMatchObject({ kind: 'error', startLine: 1 });
    expect(out.slice(1)).toEqual([
      { kind: 'record', fields: ['2', '3'], startLine: 2, endLine: 2 },
      { kind: 'record', fields: ['4', '5'], startLine: 3, endLine: 3 },
    ]);
  });
  it('skips empty lines', () => {
    expect(parse(['', 'a', ''])).toEqual([{ kind: 'record', fields: ['a'], startLine: 2, endLine: 2 }]);
  });
});

describe('lines and decoding', () => {
  it('splits LF and CRLF across chunk boundaries and drops a trailing 0x1A', async () => {
    const bytes = Buffer.from('a\r\nbb\nccc\r\n\x1a');
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 2) yield bytes.subarray(i, i + 2);
    }
    const lines = [];
    for await (const l of splitLines(chunks())) lines.push([l.line, l.bytes.toString()]);
    expect(lines).toEqual([
      [1, 'a'],
      [2, 'bb'],
      [3, 'ccc'],
    ]);
  });
  it('detects UTF-8 with and without BOM, CP932 and EUC-JP', () => {
    const text = '宛名番号,氏名\n1,甲野　一郎\n2,ｺｳﾉ\n';
    expect(detectEncoding(Buffer.from(`\ufeff${text}`), true)).toEqual({ encoding: 'utf-8', bom: true });
    expect(detectEncoding(Buffer.from(text), true)).toEqual({ encoding: 'utf-8', bom: false });
    expect(detectEncoding(iconv.encode(text, 'cp932'), true)).toEqual({ encoding: 'cp932', bom: false });
    expect(detectEncoding(iconv.encode(text, 'euc-jp'), true)).toEqual({ encoding: 'euc-jp', bom: false });
  });
  it('decodes CP932 user-defined characters to the private use area', () => {
    const r = decodeBytes(Buffer.from([0xf0, 0x40, 0xf9, 0xfc]), 'cp932');
    expect(r).toEqual({ text: '\ue000\ue757' });
  });
  it('decodes control bytes in CP932 to themselves', () => {
    expect(decodeBytes(Buffer.from([0x41, 0x1a, 0x1c, 0x7f]), 'cp932')).toEqual({ text: 'A\x1a\x1c\x7f' });
  });
  it('reports an invalid byte sequence with offset and hex, never U+FFFD', () => {
    expect(decodeBytes(Buffer.from([0x41, 0x42, 0x82, 0x20]), 'cp932')).toEqual({
      invalid: { offset: 2, hex: '82 20' },
    });
    expect(decodeBytes(Buffer.from([0x41, 0xff]), 'utf-8')).toMatchObject({ invalid: { offset: 1 } });
  });
});
