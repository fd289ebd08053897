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
