import { type Static, Type } from '@sinclair/typebox';

/** A named transform, applied in order to a source value (a string). */
export const Transform = Type.Union(
  [
    Type.Literal('trim', { description: 'remove ASCII and full-width spaces at both ends' }),
    Type.Literal('digits', { description: 'full-width digits ０-９ to ASCII' }),
    Type.Literal('stripLeadingZeros', { description: '"0012" → "12" (an all-zero value stays "0")' }),
    Type.Literal('postalCode', {
      description:
        '郵便番号 as written (999-0001, 〒９９９－０００１) → 7 ASCII digits; anything else is a reject',
    }),
    Type.Object(
      { restoreZeros: Type.Integer({ minimum: 2, maximum: 20 }) },
      {
        additionalProperties: false,
        description:
          'a fixed-length number that lost its leading zeros in a spreadsheet is padded back to this length; the person is flagged ZEROS_RESTORED:<field> in needsReview',
      },
    ),
    Type.Object(
      { width: Type.Union([Type.Literal('half-ascii'), Type.Literal('full-kana')]) },
      {
        additionalProperties: false,
        description: 'full-width ASCII → half-width, or half-width kana → full-width',
      },
    ),
    Type.Object({ zeroPad: Type.Integer({ minimum: 1, maximum: 20 }) }, { additionalProperties: false }),
    Type.Object(
      {
        code: Type.String({ description: 'a code table in mappings/codes/<name>.yaml' }),
        unknown: Type.Optional(
          Type.Union([Type.Literal('reject'), Type.Literal('review')], {
            description:
              'an unknown value: reject the row (default), or keep it and flag UNKNOWN_CODE:<field> in needsReview where the standard allows the value to be kept',
          }),
        ),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      { pattern: Type.String({ description: 'the value must match this regular expression' }) },
      { additionalProperties: false },
    ),
    Type.Object({ maxLength: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
    Type.Object(
      {
        split: Type.Object(
          { separator: Type.String({ minLength: 1 }), index: Type.Integer({ minimum: 0 }) },
          {
            additionalProperties: false,
            description: 'the index-th part, e.g. 氏 of 「甲野　一郎」 with separator 「　」',
          },
        ),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      { nullIf: Type.String({ description: 'this value means "none" (e.g. "00" for an unused 続柄 link)' }) },
      { additionalProperties: false },
    ),
  ],
  { $id: 'Transform' },
);
export type Transform = Static<typeof Transform>;

export const FieldSpec = Type.Object(
  {
    from: Type.Optional(Type.String({ description: 'the source field (column) name' })),
    fromAll: Type.Optional(
      Type.Array(Type.String(), {
        minItems: 1,
        description: 'several source fields into a list; empty ones dropped',
      }),
    ),
    concat: Type.Optional(
      Type.Array(Type.String(), {
        minItems: 1,
        description: 'several source fields joined (after transforms)',
      }),
    ),
    separator: Type.Optional(Type.String({ description: 'for concat; default empty' })),
    const: Type.Optional(Type.Union([Type.String(), Type.Boolean(), Type.Number()])),
    as: Type.Optional(
      Type.Union(
        [
          Type.Literal('string'),
          Type.Literal('boolean'),
          Type.Literal('integer'),
          Type.Literal('date'),
          Type.Literal('yearMonth'),
          Type.Literal('relationshipLabel'),
          Type.Literal('relationshipCodes'),
          Type.Literal('list'),
        ],
        {
          description:
            'boolean: "1" true, "0" false; date: a HubDate (ISO or 和暦 with 不詳); yearMonth: YYYY-MM; relationshipLabel: 続柄 codes (fromAll) → 子の妻; relationshipCodes: 続柄 label 妻の父 → [12, 51]; list: split on `separator` (default ;)',
        },
      ),
    ),
    transforms: Type.Optional(Type.Array(Type.Ref(Transform))),
    required: Type.Optional(Type.Boolean()),
    default: Type.Optional(Type.Union([Type.String(), Type.Boolean(), Type.Number()])),
    unknownFlag: Type.Optional(Type.String({ description: 'date: the 不詳フラグ field ("1" = unknown)' })),
    label: Type.Optional(Type.String({ description: 'date: the 不詳表記 field' })),
    era: Type.Optional(
      Type.String({ description: 'date: the 元号 code field (1 明治 … 5 令和), checked against the date' }),
    ),
    excelSerial: Type.Optional(
      Type.Boolean({
        description: 'date: also read a bare number as an Excel serial day (29285 → 1980-03-05)',
      }),
    ),
    notAfterToday: Type.Optional(
      Type.Boolean({ description: 'date: a day after today (in Japan) is a reject (生年月日)' }),
    ),
    allowNonCalendar: Type.Optional(
      Type.Boolean({
        description:
          'date: keep a day the calendar lacks instead of rejecting it (標準仕様書 1.1.8 allows it for 生年月日, 住民となった年月日, 住所を定めた年月日, 外国人住民となった年月日)',
      }),
    ),
    checkDigit: Type.Optional(
      Type.Union(
        [
          Type.Literal('mynumber'),
          Type.Literal('m11w27'),
          Type.Literal('residentCode'),
          Type.Literal('localGov'),
        ],
        {
          description: 'mynumber rejects a wrong check digit; the others flag the person in needsReview',
        },
      ),
    ),
  },
  { $id: 'FieldSpec', additionalProperties: false },
);
export type FieldSpec = Static<typeof FieldSpec>;

export const MappingFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    adapter: Type.String({ description: 'the adapter id whose records this maps' }),
    entity: Type.Union([Type.Literal('person'), Type.Literal('transfer-person'), Type.Literal('enrolment')]),
    description: Type.Optional(Type.String()),
    when: Type.Optional(
      Type.Object(
        {
          field: Type.String(),
          equals: Type.String(),
          ifMissing: Type.Optional(
            Type.Boolean({ description: 'take the row when the field is not in the file' }),
          ),
        },
        {
          additionalProperties: false,
          description: 'rows that fail this are skipped (counted, not rejected)',
        },
      ),
    ),
    key: Type.Array(Type.String(), {
      minItems: 1,
      description: 'canonical fields that identify a record of the source',
    }),
    fields: Type.Record(
      Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9_]*(\\.[a-zA-Z][a-zA-Z0-9_]*)*$' }),
      Type.Ref(FieldSpec),
    ),
    extras: Type.Optional(
      Type.Boolean({ description: 'keep non-empty source fields not used by any mapping as `extras`' }),
    ),
    ignore: Type.Optional(Type.Array(Type.String(), { description: 'source fields deliberately not kept' })),
    keep: Type.Optional(
      Type.Array(Type.String(), {
        description:
          'source fields known but not interpreted: kept verbatim in `extras` (with extras: true), never reported as unknown',
      }),
    ),
    required: Type.Optional(
      Type.Array(Type.String(), {
        description:
          'columns a file must have, besides the sources of required fields; a file without one fails naming it',
      }),
    ),
    aliases: Type.Optional(
      Type.Record(Type.String(), Type.Array(Type.String(), { minItems: 1 }), {
        description:
          "other names of a column (other systems' spellings), by the name the mapping uses. Width, punctuation (（）/(), ＿/_) and spaces never need an alias: names are compared after NFKC",
      }),
    ),
  },
  {
    $id: 'MappingFile',
    additionalProperties: false,
    description:
      'The column contract: every column of a file is read by a field, kept, declared ignored, or reported as unknown',
  },
);
export type MappingFile = Static<typeof MappingFile>;

export const CodeTableFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.String({ pattern: '^[a-z0-9-]+$' }),
    description: Type.Optional(Type.String()),
    source: Type.Optional(Type.String({ description: 'where the codes come from' })),
    codes: Type.Record(Type.String(), Type.Union([Type.String(), Type.Boolean(), Type.Number()]), {
      minProperties: 1,
    }),
    title: Type.Optional(
      Type.String({ description: 'the table as staff know it (第30条45規定区分), used in messages' }),
    ),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
    aliases: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'other spellings the sources write (男, 日本人, 有) → the code they stand for',
      }),
    ),
  },
  { $id: 'CodeTableFile', additionalProperties: false },
);
export type CodeTableFile = Static<typeof CodeTableFile>;

export const MappingTestFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    mapping: Type.String({ description: 'the mapping file beside this one' }),
    base: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'source fields shared by every case' }),
    ),
    cases: Type.Array(
      Type.Object(
        {
          name: Type.String(),
          input: Type.Record(Type.String(), Type.Union([Type.String(), Type.Null()]), {
            description: 'null removes a base field',
          }),
          expect: Type.Optional(
            Type.Record(Type.String(), Type.Unknown(), { description: 'canonical paths → values' }),
          ),
          absent: Type.Optional(
            Type.Array(Type.String(), { description: 'canonical paths that must be absent' }),
          ),
          reject: Type.Optional(
            Type.Object(
              { code: Type.String(), field: Type.Optional(Type.String()) },
              { additionalProperties: false },
            ),
          ),
          skip: Type.Optional(Type.Boolean({ description: 'the row is expected to be skipped by `when`' })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
  },
  { $id: 'MappingTestFile', additionalProperties: false },
);
export type MappingTestFile = Static<typeof MappingTestFile>;
