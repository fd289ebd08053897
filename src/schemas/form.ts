import { type Static, Type } from '@sinclair/typebox';
import { FieldCategory, FieldType } from '../prefill/forms.ts';
import { HubDate } from './common.ts';
import { Delivery } from './delivery.ts';

/** A value of a form field: text, a date with its 不詳 parts, or nothing yet. */
export const FieldValue = Type.Union([Type.String(), Type.Ref(HubDate), Type.Null()], {
  $id: 'FieldValue',
  description: 'text (every type but date), a HubDate or an ISO date (date), or null when not written',
});
export type FieldValue = Static<typeof FieldValue>;

export const ValueSource = Type.Object(
  {
    kind: Type.Union(
      ['register', 'certificate', 'enrolment', 'form', 'visit', 'constant'].map((k) => Type.Literal(k)),
    ),
    adapter: Type.Optional(Type.String()),
    importId: Type.Optional(Type.String()),
    file: Type.Optional(Type.String()),
    line: Type.Optional(Type.Integer()),
    asOf: Type.Optional(Type.String({ format: 'date-time' })),
    formId: Type.Optional(Type.String()),
    submissionId: Type.Optional(Type.String()),
    expression: Type.String({ description: 'the form definition’s source expression that matched' }),
  },
  { $id: 'ValueSource', description: 'where a prefilled value came from' },
);
export type ValueSource = Static<typeof ValueSource>;

/** Where a form's accepted data goes: core systems' import files, or paper to a section. */
export const Handoff = Type.Union(
  [
    Type.Object({
      kind: Type.Literal('system'),
      targets: Type.Array(Type.String(), { minItems: 1, description: 'target ids (GET /v1/targets)' }),
    }),
    Type.Object({
      kind: Type.Literal('paper'),
      to: Type.String({ description: 'the section that takes the printed, signed form' }),
    }),
  ],
  { $id: 'Handoff' },
);
export type Handoff = Static<typeof Handoff>;

export const PrefilledField = Type.Object(
  {
    key: Type.String(),
    label: Type.String(),
    category: Type.Ref(FieldCategory),
    kind: Type.Union([
      Type.Literal('data'),
      Type.Literal('choice'),
      Type.Literal('signature'),
      Type.Literal('free'),
    ]),
    type: Type.Ref(FieldType),
    required: Type.Boolean(),
    minLength: Type.Optional(Type.Integer()),
    maxLength: Type.Optional(Type.Integer()),
    choices: Type.Optional(Type.Array(Type.String())),
    cp932: Type.Boolean({
      description: 'a target writes this form in CP932: a character CP932 lacks is refused',
    }),
    person: Type.Optional(Type.String({ description: 'the person a per-person field is for' })),
    value: Type.Ref(FieldValue),
    state: Type.Union([Type.Literal('prefilled'), Type.Literal('input'), Type.Literal('signature')]),
    source: Type.Optional(Type.Ref(ValueSource)),
  },
  { $id: 'PrefilledField' },
);
export type PrefilledField = Static<typeof PrefilledField>;

export const PrefilledForm = Type.Object(
  {
    formId: Type.String(),
    visitId: Type.String(),
    title: Type.String(),
    signatureGroup: Type.Optional(Type.String()),
    handoff: Type.Ref(Handoff),
    fields: Type.Array(Type.Ref(PrefilledField)),
  },
  { $id: 'PrefilledForm' },
);
export type PrefilledForm = Static<typeof PrefilledForm>;

const Count = Type.Object({ prefilled: Type.Integer(), input: Type.Integer(), signature: Type.Integer() });
export const CategoryCount = Type.Object(
  { prefilled: Type.Integer(), input: Type.Integer(), signature: Type.Integer() },
  { $id: 'CategoryCount' },
);
export type CategoryCount = Static<typeof CategoryCount>;

export const FormCount = Type.Composite(
  [
    Type.Object({
      formId: Type.String(),
      signatureGroup: Type.Optional(Type.String()),
      byCategory: Type.Record(Type.String(), Type.Ref(CategoryCount)),
    }),
    Count,
  ],
  { $id: 'FormCount' },
);
export type FormCount = Static<typeof FormCount>;

export const CountTotals = Type.Composite(
  [Count, Type.Object({ byCategory: Type.Record(Type.String(), Type.Ref(CategoryCount)) })],
  { $id: 'CountTotals' },
);

export const WriteCount = Type.Object(
  {
    consolidated: Type.Boolean({
      description: 'counted with the consolidated application (まとめて申請書): one signature for every form',
    }),
    forms: Type.Array(Type.Ref(FormCount)),
    total: Type.Ref(CountTotals),
    baseline: Type.Object({ forms: Type.Array(Type.Ref(FormCount)), total: Type.Ref(CountTotals) }),
  },
  { $id: 'WriteCount' },
);
export type WriteCount = Static<typeof WriteCount>;

export const SignatureMark = Type.Object({
  key: Type.String({ description: 'a signature field of the form' }),
  method: Type.Union([Type.Literal('tablet'), Type.Literal('paper')]),
});

export const SubmissionInput = Type.Object(
  {
    formId: Type.String(),
    values: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description:
          '`<field key>` or `<field key>@<person id>` → value; checked against the form (422 lists every wrong field)',
      }),
    ),
    confirmedBy: Type.String({ minLength: 1, description: 'staff id' }),
    signatures: Type.Optional(Type.Array(SignatureMark)),
  },
  { $id: 'SubmissionInput', additionalProperties: false },
);
export type SubmissionInput = Static<typeof SubmissionInput>;

export const SignatureImage = Type.Object(
  {
    bytes: Type.Integer(),
    width: Type.Integer(),
    height: Type.Integer(),
    sha256: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'SignatureImage', description: 'the PNG kept with the submission (GET …/signature)' },
);
export type SignatureImage = Static<typeof SignatureImage>;

export const Submission = Type.Object(
  {
    id: Type.String(),
    visitId: Type.String(),
    formId: Type.String(),
    values: Type.Record(Type.String(), Type.Ref(FieldValue)),
    confirmedBy: Type.Optional(Type.String()),
    signatures: Type.Array(SignatureMark),
    createdAt: Type.String({ format: 'date-time' }),
    handoff: Type.Ref(Handoff),
    signatureImage: Type.Optional(Type.Ref(SignatureImage)),
    deliveries: Type.Array(Type.Ref(Delivery)),
  },
  { $id: 'Submission' },
);
export type Submission = Static<typeof Submission>;

export const DeliverySummary = Type.Object(
  {
    pending: Type.Integer(),
    delivered: Type.Integer(),
    failed: Type.Integer(),
    dead: Type.Integer(),
  },
  { $id: 'DeliverySummary' },
);

/** A submission in a visit's list: what, when, by whom, and how its deliveries stand. */
export const SubmissionSummary = Type.Object(
  {
    id: Type.String(),
    formId: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    confirmedBy: Type.Optional(Type.String()),
    handoff: Type.Ref(Handoff),
    deliveries: Type.Ref(DeliverySummary),
    state: Type.Union(
      ['paper', 'pending', 'delivered', 'failed', 'dead'].map((s) => Type.Literal(s)),
      { description: 'the worst of its deliveries (dead > failed > pending > delivered), or paper' },
    ),
  },
  { $id: 'SubmissionSummary' },
);
export type SubmissionSummary = Static<typeof SubmissionSummary>;

/**
 * An accepted submission as it is stored and as write adapters receive it: the confirmed values,
 * who confirmed them, the signatures, and the visit's persons (with the 個人番号 the register or
 * the 転出証明書 holds, for the 住記 file only; never part of an answer).
 */
export const SubmissionRecord = Type.Object(
  {
    values: Type.Record(Type.String(), Type.Ref(FieldValue)),
    confirmedBy: Type.Optional(Type.String()),
    signatures: Type.Optional(Type.Array(SignatureMark)),
    persons: Type.Optional(
      Type.Array(
        Type.Object({ id: Type.String(), order: Type.Integer(), myNumber: Type.Optional(Type.String()) }),
      ),
    ),
    lifeEvent: Type.Optional(Type.String()),
    referenceDate: Type.Optional(Type.String()),
    certificateNumber: Type.Optional(Type.String()),
  },
  { $id: 'SubmissionRecord' },
);
export type SubmissionRecord = Static<typeof SubmissionRecord>;
