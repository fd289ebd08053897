import { type Static, Type } from '@sinclair/typebox';
import { LifeEvent } from '../procedures/rules.ts';
import { HubDate } from './common.ts';

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
    subjects: Type.Union([
      Type.Object({ transferCertificateId: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
      Type.Object(
        { residentIds: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 50 }) },
        { additionalProperties: false },
      ),
      Type.Object({ householdId: Type.String({ pattern: '^\\d+$' }) }, { additionalProperties: false }),
    ]),
    referenceDate: Type.Optional(
      Type.String({ format: 'date', description: 'ages are evaluated on this day; default today' }),
    ),
  },
  { $id: 'VisitInput', additionalProperties: false },
);
export type VisitInput = Static<typeof VisitInput>;

export interface VisitRecord {
  identity: VisitInput['identity'] & { at: string };
  consent: VisitInput['consent'] & { at: string };
  subjects: VisitInput['subjects'];
  /** An `admin` client's X-Restricted-Access reason at opening: only privileged requests read the visit again. */
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
    subjects: Type.Unknown({ description: 'as given: transferCertificateId, residentIds or householdId' }),
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
