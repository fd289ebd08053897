/**
 * Generated fictitious persons in the 122-column 住記 standard CSV: the sample's first row as a
 * template, with varied 宛名番号, 世帯, names, kana, sexes, birth dates and addresses. Every name is
 * a combination of common ones; 市区町村コード 999999 belongs to no municipality.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { sampleLines } from '../tests/helpers/files.ts';

const surnames: [string, string][] = [
  ['佐藤', 'サトウ'],
  ['鈴木', 'スズキ'],
  ['高橋', 'タカハシ'],
  ['田中', 'タナカ'],
  ['伊藤', 'イトウ'],
  ['渡辺', 'ワタナベ'],
  ['山本', 'ヤマモト'],
  ['中村', 'ナカムラ'],
  ['小林', 'コバヤシ'],
  ['加藤', 'カトウ'],
  ['吉田', 'ヨシダ'],
  ['山田', 'ヤマダ'],
  ['佐々木', 'ササキ'],
  ['山口', 'ヤマグチ'],
  ['松本', 'マツモト'],
  ['井上', 'イノウエ'],
  ['木村', 'キムラ'],
  ['林', 'ハヤシ'],
  ['斎藤', 'サイトウ'],
  ['清水', 'シミズ'],
  ['山崎', 'ヤマザキ'],
  ['森', 'モリ'],
  ['池田', 'イケダ'],
  ['橋本', 'ハシモト'],
  ['阿部', 'アベ'],
  ['石川', 'イシカワ'],
  ['山下', 'ヤマシタ'],
  ['中島', 'ナカジマ'],
  ['石井', 'イシイ'],
  ['小川', 'オガワ'],
  ['前田', 'マエダ'],
  ['岡田', 'オカダ'],
  ['長谷川', 'ハセガワ'],
  ['藤田', 'フジタ'],
  ['後藤', 'ゴトウ'],
  ['近藤', 'コンドウ'],
  ['村上', 'ムラカミ'],
  ['遠藤', 'エンドウ'],
  ['青木', 'アオキ'],
  ['坂本', 'サカモト'],
];
const given: [string, string, '1' | '2'][] = [
  ['一郎', 'イチロウ', '1'],
  ['健太', 'ケンタ', '1'],
  ['翔', 'ショウ', '1'],
  ['大輔', 'ダイスケ', '1'],
  ['誠', 'マコト', '1'],
  ['蓮', 'レン', '1'],
  ['悠真', 'ユウマ', '1'],
  ['陽翔', 'ハルト', '1'],
  ['浩二', 'コウジ', '1'],
  ['隆', 'タカシ', '1'],
  ['花子', 'ハナコ', '2'],
  ['京子', 'キョウコ', '2'],
  ['美咲', 'ミサキ', '2'],
  ['陽菜', 'ヒナ', '2'],
  ['結衣', 'ユイ', '2'],
  ['さくら', 'サクラ', '2'],
  ['恵子', 'ケイコ', '2'],
  ['由美', 'ユミ', '2'],
  ['愛', 'アイ', '2'],
  ['芽依', 'メイ', '2'],
];
const towns = [
  '中央一丁目',
  '中央二丁目',
  '本町三丁目',
  '栄町',
  '緑が丘四丁目',
  '桜台',
  '港南五丁目',
  '旭町二丁目',
];
const fullDigits = (n: number) => String(n).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));

/** The kana prefixes a search benchmark can ask for (every generated surname). */
export const surnameKana = surnames.map(([, k]) => k);

export interface PersonsCsv {
  header: string;
  /** Builds data line i (0-based); `variant` > 0 changes the person's address and 方書. */
  line(i: number, variant?: number): string;
}

export function personsCsv(): PersonsCsv {
  const [header, template] = sampleLines() as [string, string];
  const names = header.split(',');
  const cells = template.split(',');
  const at = (column: string) => {
    const i = names.indexOf(column);
    if (i === -1) throw new Error(`no column ${column}`);
    return i;
  };
  const col = Object.fromEntries(
    [
      '宛名番号',
      '個人履歴番号',
      '世帯番号',
      '住民票コード',
      '届出番号',
      '氏名',
      '氏_日本人',
      '名_日本人',
      '氏名_フリガナ',
      '氏_日本人_フリガナ',
      '名_日本人_フリガナ',
      '性別',
      '性別表記',
      '生年月日_元号',
      '生年月日',
      '続柄コード1',
      '続柄表記',
      '世帯主氏名',
      '住所_町字コード',
      '住所_町字',
      '住所_番地号表記',
      '住所_方書',
      '本籍_町字',
      '戸籍_筆頭者',
      '戸籍_筆頭者_氏',
      '戸籍_筆頭者_名',
      '記載順位',
    ].map((c) => [c, at(c)]),
  ) as Record<string, number>;
  return {
    header,
    line(i, variant = 0) {
      const row = [...cells];
      const household = Math.floor(i / 3);
      const order = (i % 3) + 1;
      const [sei, seiKana] = surnames[(household * 7) % surnames.length]!;
      const [mei, meiKana, sex] = given[(i * 13 + household) % given.length]!;
      const [headMei] = given[(household * 3 * 13 + household) % given.length]!;
      const year = 1940 + ((i * 37) % 80);
      const month = 1 + ((i * 5) % 12);
      const day = 1 + ((i * 11) % 28);
      const town = towns[(household + variant) % towns.length]!;
      const set = (c: string, v: string) => {
        row[col[c]!] = v;
      };
      set('宛名番号', String(1_000_000 + i));
      set('個人履歴番号', String(1_000_000 + i));
      set('世帯番号', String(500_000 + household));
      set('住民票コード', String(20_000_000_000 + i));
      set('届出番号', String(10_000 + i));
      set('氏名', `${sei}\u3000${mei}`);
      set('氏_日本人', sei);
      set('名_日本人', mei);
      set('氏名_フリガナ', `${seiKana}\u3000${meiKana}`);
      set('氏_日本人_フリガナ', seiKana);
      set('名_日本人_フリガナ', meiKana);
      set('性別', sex);
      set('性別表記', sex === '1' ? '男' : '女');
      const birth = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
      set('生年月日_元号', birth < '1989-01-08' ? '3' : birth < '2019-05-01' ? '4' : '5');
      set('生年月日', birth);
      set('続柄コード1', order === 1 ? '2' : '99');
      set('続柄表記', order === 1 ? '世帯主' : '縁故者');
      set('世帯主氏名', `${sei}\u3000${headMei}`);
      set('住所_町字コード', String(100_001 + ((household + variant) % towns.length)));
      set('住所_町字', town);
      set(
        '住所_番地号表記',
        `${fullDigits(1 + (household % 40))}番${fullDigits(1 + ((household * 3) % 25))}号`,
      );
      set('住所_方書', variant > 0 ? `サンプル荘${fullDigits(100 + variant)}` : '');
      set('本籍_町字', town);
      set('戸籍_筆頭者', `${sei}\u3000${headMei}`);
      set('戸籍_筆頭者_氏', sei);
      set('戸籍_筆頭者_名', headMei);
      set('記載順位', String(order));
      return row.join(',');
    },
  };
}

/** Writes the file line by line (1M persons do not fit comfortably in one string). */
export function writePersonsCsv(file: string, rows: number, changedEvery?: number, first = 0): void {
  const csv = personsCsv();
  const fd = openSync(file, 'w');
  try {
    let batch = [csv.header];
    for (let i = first; i < first + rows; i++) {
      batch.push(csv.line(i, changedEvery && i % changedEvery === 0 ? 1 : 0));
      if (batch.length === 5000) {
        writeSync(fd, `${batch.join('\n')}\n`);
        batch = [];
      }
    }
    if (batch.length > 0) writeSync(fd, `${batch.join('\n')}\n`);
  } finally {
    closeSync(fd);
  }
}
