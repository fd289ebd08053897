import './formats.ts';
import { type Static, Type } from '@sinclair/typebox';
import { errorCatalog } from '../errors.ts';

/** A date as the 住民記録 standard allows it: 不詳 parts and non-calendar dates are kept, not guessed. */
export const HubDate = Type.Object(
  {
    iso: Type.Union([Type.String({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), Type.Null()], {
      description: 'ISO date, or null when any part is unknown',
    }),
    unknown: Type.Boolean({ description: '不詳フラグ' }),
    label: Type.Optional(Type.String({ description: '不詳表記 as printed by the source' })),
    wareki: Type.Optional(Type.String({ description: '和暦 text like 昭和55年4月1日 (元年 for year 1)' })),
    source: Type.Optional(
      Type.String({
        description:
          'the value as the source wrote it, when it differs from iso; on an overlap day given as ISO with the older era in the 元号 column, that era’s spelling (大正15年12月25日)',
      }),
    ),
    nonCalendar: Type.Optional(
      Type.Boolean({
        description: 'a day the calendar lacks (e.g. 2月29日 of a common year), kept as the 戸籍 has it',
      }),
    ),
    lunisolar: Type.Optional(
      Type.Boolean({ description: 'a 明治5年 or earlier date of the old calendar: never converted' }),
    ),
  },
  { $id: 'HubDate', additionalProperties: false },
);
export type HubDate = Static<typeof HubDate>;

export const FieldProvenance = Type.Object(
  {
    adapter: Type.String(),
    importId: Type.String(),
    file: Type.Optional(Type.String()),
    line: Type.Integer(),
    column: Type.Optional(Type.String({ description: 'source column or field name' })),
    asOf: Type.String({ format: 'date-time' }),
  },
  { $id: 'FieldProvenance', additionalProperties: false },
);
export type FieldProvenance = Static<typeof FieldProvenance>;

export const Provenance = Type.Record(Type.String(), Type.Ref(FieldProvenance), {
  $id: 'Provenance',
  description: 'per canonical field path (e.g. `name.full`): where its value came from',
});
export type Provenance = Static<typeof Provenance>;

export const ErrorCode = Type.Union(
  (Object.keys(errorCatalog) as (keyof typeof errorCatalog)[]).map((c) => Type.Literal(c)),
  { $id: 'ErrorCode', description: 'a stable code of the catalog: docs/errors.md has a section per code' },
);

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.Ref(ErrorCode),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.Optional(Type.String({ description: 'the field key (or request path)' })),
          person: Type.Optional(Type.String({ description: 'the person of a per-person field' })),
          code: Type.Optional(Type.Ref(ErrorCode, { description: 'this item’s own code' })),
          message: Type.String({ description: 'for counter staff, in Japanese' }),
        }),
      ),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details with a stable code' },
);
export type Problem = Static<typeof Problem>;
