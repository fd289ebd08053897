import { type Static, Type } from '@sinclair/typebox';

export const FieldCategory = Type.Union(
  ['name', 'relationship', 'birthDate', 'sex', 'address', 'date', 'code', 'account', 'contact', 'other'].map(
    (c) => Type.Literal(c),
  ),
  { $id: 'FieldCategory' },
);
export type FieldCategory = Static<typeof FieldCategory>;

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
    repeat: Type.Optional(
      Type.Union([Type.Literal('person'), Type.Literal('procedure-person')], {
        description:
          'person: once per person of the visit; procedure-person: once per person the form’s procedure is for',
      }),
    ),
    source: Type.Optional(Type.Union([SourceExpr, Type.Array(SourceExpr, { minItems: 1 })])),
    choices: Type.Optional(Type.Array(Type.String())),
  },
  { $id: 'FormField', additionalProperties: false },
);
export type FormField = Static<typeof FormField>;

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
    fields: Type.Array(Type.Ref(FormField), { minItems: 1 }),
  },
  { $id: 'FormFile', additionalProperties: false },
);
export type FormFile = Static<typeof FormFile>;
