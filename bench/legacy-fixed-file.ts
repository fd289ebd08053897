/**
 * A generated legacy fixed-width file (the `juki-legacy-fixed` layout, CP932, 400-byte records):
 * header, `rows` fictitious persons (every 50th name carries a 外字 from the user-defined area),
 * trailer.
 */
import path from 'node:path';
import { loadYaml } from '../src/mapping/yaml-file.ts';
import { cp932UserDefinedToPua } from '../src/parsers/cp932.ts';
import {
  FixedField,
  type FixedLayoutFile,
  FixedRecordType,
  FixedLayoutFile as LayoutSchema,
  writeFixedRecord,
} from '../src/parsers/fixed-width.ts';
import { root } from '../tests/helpers/files.ts';

export function legacyLayout(): FixedLayoutFile {
  const file = path.join(root, 'mappings', 'juki-legacy-fixed', 'layout.yaml');
  const loaded = loadYaml<FixedLayoutFile>(file, LayoutSchema, [FixedField, FixedRecordType]).loaded;
  if (!loaded) throw new Error(`cannot load ${file}`);
  return loaded.value;
}

const names = ['佐藤　一郎', '鈴木　花子', '高橋　健太', '田中　美咲', '渡辺　誠', '山本　結衣', '中村　蓮'];
const kana = ['ｻﾄｳ ｲﾁﾛｳ', 'ｽｽﾞｷ ﾊﾅｺ', 'ﾀｶﾊｼ ｹﾝﾀ', 'ﾀﾅｶ ﾐｻｷ', 'ﾜﾀﾅﾍﾞ ﾏｺﾄ', 'ﾔﾏﾓﾄ ﾕｲ', 'ﾅｶﾑﾗ ﾚﾝ'];
const gaiji = String.fromCodePoint(cp932UserDefinedToPua(0xf0, 0x40));

export function legacyFixedBytes(layout: FixedLayoutFile, rows: number): Buffer {
  const crlf = Buffer.from('\r\n');
  const out: Buffer[] = [
    writeFixedRecord(layout, 'header', {
      市区町村コード: '999997',
      作成年月日: '20261201',
      作成時刻: '020000',
      ファイル種別: '01',
    }),
    crlf,
  ];
  for (let i = 0; i < rows; i++) {
    const name = names[i % names.length]!;
    out.push(
      writeFixedRecord(layout, 'data', {
        宛名番号: String(1_000_000 + i),
        世帯番号: String(500_000 + Math.floor(i / 3)),
        住民票コード: String(20_000_000_000 + i),
        住民種別: '1',
        住民状態: '1',
        氏名: i % 50 === 0 ? `${gaiji}${name.slice(1)}` : name,
        氏名カナ: kana[i % kana.length]!,
        生年月日: `3${String(100 + (i % 60)).slice(1)}0401`,
        生年月日不詳区分: '0',
        性別: String(1 + (i % 2)),
        続柄コード1: '02',
        住所_市区町村コード: '999997',
        住所_町字コード: '0011001',
        住所_町字: '茅ヶ崎一丁目',
        住所_番地号: `${String.fromCharCode(0xff11 + (i % 9))}番１号`,
        住民となった年月日: '4200401',
        住所を定めた年月日: '4200401',
        異動年月日: '4200401',
        異動事由: '01',
        支援措置区分: '0',
      }),
      crlf,
    );
  }
  out.push(writeFixedRecord(layout, 'trailer', { データ件数: String(rows) }), crlf);
  return Buffer.concat(out);
}
