import { Type } from '@sinclair/typebox';
import type { Encoding } from '../parsers/decode.ts';
import { readDelimited } from '../parsers/delimited-reader.ts';
import { defineAdapter, type ReadAdapter } from './adapter.ts';

/**
 * A read adapter for a CSV export with a header row (the departmental systems' files): the
 * encoding is detected unless the source says, and field meaning is in its mapping.
 */
export function defineCsvAdapter(options: {
  id: string;
  title: string;
  entity: string;
  /** What the source system is known to deliver (documented; detection still runs). */
  encodings: Encoding[];
}): ReadAdapter {
  return defineAdapter({
    manifest: {
      id: options.id,
      version: '1.0.0',
      title: options.title,
      direction: 'read',
      formats: ['csv'],
      encodings: options.encodings,
      entities: [options.entity],
      configSchema: Type.Object({
        encoding: Type.Optional(Type.String({ description: 'utf-8 | cp932 | euc-jp; detected when absent' })),
      }),
    },
    read: (input, context) => readDelimited(input, { mode: 'delta', ...context }, { entity: options.entity }),
  });
}
