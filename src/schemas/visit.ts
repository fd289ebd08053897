import { type Static, Type } from '@sinclair/typebox';
import { LifeEvent } from '../procedures/rules.ts';
import { HubDate } from './common.ts';

export const VisitSubjects = Type.Union(
  [
    Type.Object({ transferCertificateId: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    Type.Object(
      { residentIds: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 50 }) },
      { additionalProperties: false },
    ),
    Type.Object({ householdId: Type.String({ pattern: '^\\d+$' }) }, { additionalProperties: false }),
  ],
  { $id: 'VisitSubjects', description: 'whom the visit is for: a 転出証明書, residents, or a household' },
);
export type VisitSubjects = Static<typeof VisitSubjects>;

export const VisitInput = Type.Object(
  {
    lifeEvent: Type.Ref(LifeEvent),
    identity: Type.Object(
      {
        method: Type.Union([
          Type.Literal('mynumber-card'),
          Type.Literal('driver-license'),
          Type.Literal('passport'),
          Type.Literal('residence-card'),
          Type.Literal('other'),
        ]),
        verifiedBy: Type.String({ minLength: 1, description: 'staff id' }),
      },
      { additionalProperties: false, description: '本人確認' },
    ),
    consent: Type.Object(
      {
        given: Type.Literal(true, {
          description: 'the resident agreed that the hub reads their data for this visit',
        }),
        scope: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
    subjects: Type.Ref(VisitSubjects),
    referenceDate: Type.Optional(
      Type.String({ format: 'date', description: 'ages are evaluated on this day; default today' }),
    ),
  },
  { $id: 'VisitInput', additionalProperties: false },
);
export type VisitInput = Static<typeof VisitInput>;

export const ExtraFormInput = Type.Object(
  {
    formId: Type.String({ minLength: 1 }),
    reason: Type.String({ minLength: 1, description: 'why staff add a form the 手続ナビ did not list' }),
    addedBy: Type.String({ minLength: 1, description: 'staff id' }),
  },
  { $id: 'ExtraFormInput', additionalProperties: false },
);
export type ExtraFormInput = Static<typeof ExtraFormInput>;

export const ExtraForm = Type.Object(
  {
    formId: Type.String(),
    reason: Type.String(),
    addedBy: Type.String(),
    at: Type.String({ format: 'date-time' }),
  },
  { $id: 'ExtraForm', description: 'a form staff added to the visit beyond its procedures, with why' },
);
export type ExtraForm = Static<typeof ExtraForm>;

export interface VisitRecord {
  identity: VisitInput['identity'] & { at: string };
  consent: VisitInput['consent'] & { at: string };
  subjects: VisitSubjects;
  extraForms?: ExtraForm[];
  /** An `admin` client's X-Restricted-Access reason at opening: the visit may show restricted persons. */
  restrictedReason?: string;
}

export const Visit = Type.Object(
  {
    id: Type.String(),
    lifeEvent: Type.Ref(LifeEvent),
    referenceDate: Type.String({ format: 'date' }),
    identity: Type.Object({
      method: Type.String(),
      verifiedBy: Type.String(),
      at: Type.String({ format: 'date-time' }),
    }),
    consent: Type.Object({
      given: Type.Boolean(),
      scope: Type.Optional(Type.String()),
      at: Type.String({ format: 'date-time' }),
    }),
    subjects: Type.Ref(VisitSubjects),
    extraForms: Type.Array(Type.Ref(ExtraForm)),
    persons: Type.Array(
      Type.Object({
        id: Type.String(),
        order: Type.Integer(),
        source: Type.Union([Type.Literal('resident'), Type.Literal('certificate')]),
        name: Type.String(),
        birthDate: Type.Ref(HubDate),
        relationship: Type.Object({ codes: Type.Array(Type.String()), label: Type.Optional(Type.String()) }),
      }),
    ),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Visit' },
);
export type Visit = Static<typeof Visit>;
