import { Type } from '@sinclair/typebox';
import { readDelimited } from '../../src/parsers/delimited-reader.ts';
import { defineAdapter } from '../../src/sdk/adapter.ts';

/** 異動分 files are told by their name; everything else is a 全件 (full) export. */
export function modeFromFileName(fileName: string): 'full' | 'delta' {
  return /異動|idou|delta|diff|changes/i.test(fileName) ? 'delta' : 'full';
}

export default defineAdapter({
  manifest: {
    id: 'juki-standard-csv',
    version: '1.0.0',
    title: '住民記録 標準準拠システム CSV（基本データリスト形式）',
    direction: 'read',
    formats: ['csv'],
    encodings: ['utf-8', 'cp932', 'euc-jp'],
    entities: ['person'],
    configSchema: Type.Object({
      encoding: Type.Optional(Type.String({ description: 'utf-8 | cp932 | euc-jp; detected when absent' })),
      mode: Type.Optional(Type.Union([Type.Literal('full'), Type.Literal('delta')])),
    }),
  },
  read(input, context) {
    return readDelimited(input, context, { entity: 'person', modeFromName: modeFromFileName });
  },
});
