import type { Adapter } from '../src/sdk/adapter.ts';
import jidouTeateCsv from './jidou-teate-csv/adapter.ts';
import jukiLegacyFixed from './juki-legacy-fixed/adapter.ts';
import jukiStandardCsv from './juki-standard-csv/adapter.ts';
import kaigoCsv from './kaigo-csv/adapter.ts';
import kodomoIryoCsv from './kodomo-iryo-csv/adapter.ts';
import kokuhoCsv from './kokuho-csv/adapter.ts';
import koukiCsv from './kouki-csv/adapter.ts';
import tenshutsuXml from './tenshutsu-xml/adapter.ts';

/** Every adapter the hub ships, listed explicitly (no discovery by file name). */
export const adapters: readonly Adapter[] = [
  jukiStandardCsv,
  jukiLegacyFixed,
  tenshutsuXml,
  kokuhoCsv,
  koukiCsv,
  kaigoCsv,
  jidouTeateCsv,
  kodomoIryoCsv,
];

import { defineFormCsvWriter, type WriteAdapter } from '../src/sdk/write-adapter.ts';
import jidouTeateSeikyuCsv from './jidou-teate-seikyu-csv/adapter.ts';
import jukiIdouCsv from './juki-idou-csv/adapter.ts';
import kaigoTodokeCsv from './kaigo-todoke-csv/adapter.ts';

/** Every write adapter (core-system import formats of accepted submissions). */
export const writers: readonly WriteAdapter[] = [
  jukiIdouCsv,
  jidouTeateSeikyuCsv,
  defineFormCsvWriter({
    id: 'kodomo-iryo-shinsei-csv',
    title: '子ども医療費助成 申請データ（CP932）',
    form: 'kodomoiryo',
    encoding: 'cp932',
  }),
  defineFormCsvWriter({
    id: 'kouki-todoke-csv',
    title: '後期高齢者医療 届出データ（UTF-8 BOM）',
    form: 'kouki',
    encoding: 'utf-8-bom',
  }),
  defineFormCsvWriter({
    id: 'kokuho-todoke-csv',
    title: '国民健康保険 届出データ（UTF-8 BOM）',
    form: 'kokuho',
    encoding: 'utf-8-bom',
  }),
  kaigoTodokeCsv,
];
