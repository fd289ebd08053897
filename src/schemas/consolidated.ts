import { type Static, Type } from '@sinclair/typebox';
import { FieldValue, Handoff } from './form.ts';

export const ConsolidatedSignature = Type.Object(
  {
    method: Type.Union([Type.Literal('tablet'), Type.Literal('paper')]),
    confirmedBy: Type.String({ description: 'staff id' }),
    at: Type.String({ format: 'date-time' }),
    forms: Type.Array(Type.String(), { description: 'the forms the one signature covers' }),
  },
  { $id: 'ConsolidatedSignature' },
);
export type ConsolidatedSignature = Static<typeof ConsolidatedSignature>;

export const ConsolidatedSignInput = Type.Object(
  {
    confirmedBy: Type.String({ minLength: 1, description: 'staff id' }),
    method: Type.Union([Type.Literal('tablet'), Type.Literal('paper')]),
  },
  { $id: 'ConsolidatedSignInput', additionalProperties: false },
);
export type ConsolidatedSignInput = Static<typeof ConsolidatedSignInput>;

/**
 * 「まとめて申請書」: every accepted form of a visit in one document with one signature. Each
 * section still goes to its own core system (its handoff); only the signing is shared.
 */
export const ConsolidatedApplication = Type.Object(
  {
    visitId: Type.String(),
    title: Type.String(),
    referenceDate: Type.String({ format: 'date' }),
    persons: Type.Array(Type.Object({ id: Type.String(), order: Type.Integer(), name: Type.String() }), {
      description: 'the family, in order: per-person values name their person by id',
    }),
    sections: Type.Array(
      Type.Object({
        formId: Type.String(),
        title: Type.String(),
        submissionId: Type.String(),
        handoff: Type.Ref(Handoff),
        fields: Type.Array(
          Type.Object({
            key: Type.String(),
            label: Type.String(),
            person: Type.Optional(Type.String()),
            value: Type.Ref(FieldValue),
          }),
        ),
      }),
    ),
    signature: Type.Union([Type.Ref(ConsolidatedSignature), Type.Null()], {
      description: 'null until the resident has signed',
    }),
  },
  { $id: 'ConsolidatedApplication' },
);
export type ConsolidatedApplication = Static<typeof ConsolidatedApplication>;
