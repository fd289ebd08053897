import { Type } from '@sinclair/typebox';
import { HubError, InputError } from '../../src/errors.ts';
import { readFixedWidth } from '../../src/parsers/fixed-width.ts';
import { defineAdapter, type ReadContext, type ReadItem } from '../../src/sdk/adapter.ts';

/** Header fields copied onto every data record, so that a mapping can use them. */
const FROM_HEADER = ['市区町村コード', '作成年月日'] as const;

async function* read(input: AsyncIterable<Uint8Array>, context: ReadContext): AsyncGenerator<ReadItem> {
  const layout = context.layout;
  if (!layout)
    throw new HubError('HUB_ERR_LAYOUT', { message: 'mappings/juki-legacy-fixed/layout.yaml がありません' });
  const encoding = context.encoding ?? layout.encoding;
  const dataFields = layout.records.data?.fields.map((f) => f.name) ?? [];
  let header: Record<string, string> | undefined;
  let data = 0;
  let trailerLine: number | undefined;
  for await (const item of readFixedWidth(input, layout, encoding)) {
    if (trailerLine !== undefined) throw new InputError('HUB_ERR_AFTER_TRAILER', { line: item.line });
    if (!header) {
      if (item.kind === 'record' && item.type === 'header') {
        header = item.values;
        yield {
          kind: 'meta',
          encoding,
          encodingDetected: false,
          mode: context.mode ?? (header.ファイル種別 === '02' ? 'delta' : 'full'),
          fields: [...dataFields, ...FROM_HEADER.filter((f) => !dataFields.includes(f))],
        };
        continue;
      }
      throw new InputError('HUB_ERR_NO_HEADER', { line: item.line });
    }
    if (item.kind === 'reject') {
      // A record that cannot be read still counts against the trailer when it says it is data.
      if (item.raw[layout.typeField.start - 1] === layout.records.data?.code.charCodeAt(0)) data++;
      yield item;
      continue;
    }
    if (item.type === 'data') {
      data++;
      const values = { ...item.values };
      for (const f of FROM_HEADER) values[f] = header[f] ?? '';
      yield { kind: 'record', entity: 'person', line: item.line, values, raw: item.raw };
    } else if (item.type === 'trailer') {
      const expected = Number(item.values.データ件数);
      if (!Number.isInteger(expected) || expected !== data) {
        throw new InputError(
          'HUB_ERR_TRAILER_COUNT',
          { line: item.line, field: 'データ件数' },
          { expected: item.values.データ件数, actual: data },
        );
      }
      trailerLine = item.line;
    } else {
      throw new InputError('HUB_ERR_NO_HEADER', { line: item.line });
    }
  }
  if (!header) throw new InputError('HUB_ERR_EMPTY_FILE', { line: 0 });
  // A file cut short must replace nothing: without its trailer the whole run fails.
  if (trailerLine === undefined) throw new InputError('HUB_ERR_NO_TRAILER', { line: 0 });
}

export default defineAdapter({
  manifest: {
    id: 'juki-legacy-fixed',
    version: '1.0.0',
    title: '住民記録 既存システム 固定長（CP932, 400 バイト, ヘッダ・データ・トレーラ）',
    direction: 'read',
    formats: ['fixed-width'],
    encodings: ['cp932'],
    entities: ['person'],
    configSchema: Type.Object({
      encoding: Type.Optional(Type.String({ description: 'overrides the layout (cp932)' })),
      mode: Type.Optional(Type.Union([Type.Literal('full'), Type.Literal('delta')])),
    }),
  },
  read,
});
