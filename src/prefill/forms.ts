import { type Static, Type } from '@sinclair/typebox';

export const FieldCategory = Type.Union(
  ['name', 'relationship', 'birthDate', 'sex', 'address', 'date', 'code', 'account', 'contact', 'other'].map(
    (c) => Type.Literal(c),
  ),
  { $id: 'FieldCategory' },
);
export type FieldCategory = Static<typeof FieldCategory>;

/**
 * What a field's value must be, checked on every submission:
 * `text` (a string without control characters), `kana` (全角カタカナ and spaces), `date` (an
 * ISO date or a HubDate with its 不詳 parts), `choice` (one of `choices`), `postal-code`
 * (7 digits, a hyphen after the third allowed), `phone` (a Japanese number: 10 or 11 digits,
 * hyphens allowed), `bank-code` (4 digits), `branch-code` (3 digits), `account-number`
 * (7 digits), `digits` (digits only, with `minLength`/`maxLength`), `signature`.
 */
export const FieldType = Type.Union(
  [
    'text',
    'kana',
    'date',
    'choice',
    'postal-code',
    'phone',
    'bank-code',
    'branch-code',
    'account-number',
    'digits',
    'signature',
  ].map((c) => Type.Literal(c)),
  { $id: 'FieldType' },
);
export type FieldType = Static<typeof FieldType>;

/**
 * Where a field's value comes from, first match wins:
 * `person.<path>` (the repeated person), `head.<path>` (the 世帯主 of the visit),
 * `certificate.<path>`, `visit.referenceDate`, `enrolment.<program>.<path>` (the person's),
 * `form.<formId>.<key>` (an earlier accepted form of the same visit: 回らない),
 * `const:<text>`.
 */
export const SourceExpr = Type.String({
  pattern: '^(person|head|spouse|certificate|visit|enrolment|form)\\.[^\\s]+$|^const:.+$',
});

export const FormField = Type.Object(
  {
    key: Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9_.]*$' }),
    label: Type.String(),
    category: Type.Ref(FieldCategory),
    kind: Type.Union([
      Type.Literal('data'),
      Type.Literal('choice'),
      Type.Literal('signature'),
      Type.Literal('free'),
    ]),
    type: Type.Ref(FieldType),
    required: Type.Optional(
      Type.Boolean({ description: 'a submission without a value for it is refused (default false)' }),
    ),
    minLength: Type.Optional(Type.Integer({ minimum: 0, description: 'in characters' })),
    maxLength: Type.Optional(Type.Integer({ minimum: 1, description: 'in characters' })),
    repeat: Type.Optional(
      Type.Union([Type.Literal('person'), Type.Literal('procedure-person')], {
        description:
          'person: once per person of the visit; procedure-person: once per person the form’s procedure is for',
      }),
    ),
    source: Type.Optional(Type.Union([SourceExpr, Type.Array(SourceExpr, { minItems: 1 })])),
    choices: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
    codes: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description:
          'choice → the code the core system reads (e.g. 普通 → 1); a source value equal to a code prefills its choice',
      }),
    ),
  },
  { $id: 'FormField', additionalProperties: false },
);
export type FormField = Static<typeof FormField>;

export const FormHandoff = Type.Object(
  {
    kind: Type.Literal('paper'),
    to: Type.String({ minLength: 1, description: 'the section that takes the signed paper' }),
  },
  {
    $id: 'FormHandoff',
    additionalProperties: false,
    description: 'a form no core system imports: it is printed, signed and handed to `to`',
  },
);

export const FormFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    id: Type.String({ pattern: '^[a-z0-9-]+$' }),
    title: Type.String(),
    signatureGroup: Type.Optional(
      Type.String({ description: 'forms signed together on one sheet share one signature' }),
    ),
    /** Which 手続ナビ procedures the form serves (their persons fill `procedure-person` fields). */
    procedures: Type.Optional(Type.Array(Type.String())),
    handoff: Type.Optional(Type.Ref(FormHandoff)),
    fields: Type.Array(Type.Ref(FormField), { minItems: 1 }),
  },
  { $id: 'FormFile', additionalProperties: false },
);
export type FormFile = Static<typeof FormFile>;
