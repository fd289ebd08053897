import { type Static, Type } from '@sinclair/typebox';
import { LifeEvent } from '../procedures/rules.ts';
import { HubDate } from './common.ts';
import type { ConsolidatedSignature } from './consolidated.ts';

export const VisitStatus = Type.Union(
  [Type.Literal('open'), Type.Literal('completed'), Type.Literal('cancelled')],
  { $id: 'VisitStatus' },
);
export type VisitStatus = Static<typeof VisitStatus>;

/** The day, staff and status of a visit, as every visit answer carries them. */
function visitState() {
  return {
    visitDate: Type.String({ format: 'date', description: 'the counter day (Japan) the visit was opened' }),
    staffId: Type.Optional(Type.String({ description: 'who opened it (identity check)' })),
    status: Type.Ref(VisitStatus),
    closedAt: Type.Optional(Type.String({ format: 'date-time' })),
    closedBy: Type.Optional(Type.String()),
    closeReason: Type.Optional(Type.String({ description: 'why it was cancelled' })),
    createdAt: Type.String({ format: 'date-time' }),
  };
}

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
  /** The one signature of the consolidated application (まとめて申請書), once given. */
  consolidated?: ConsolidatedSignature;
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
    ...visitState(),
  },
  { $id: 'Visit' },
);
export type Visit = Static<typeof Visit>;

/** A visit in a list: no personal data, enough to find and resume it. */
export const VisitSummary = Type.Object(
  {
    id: Type.String(),
    lifeEvent: Type.Ref(LifeEvent),
    referenceDate: Type.String({ format: 'date' }),
    subjects: Type.Ref(VisitSubjects),
    submissions: Type.Integer({ description: 'accepted forms so far' }),
    ...visitState(),
  },
  { $id: 'VisitSummary' },
);
export type VisitSummary = Static<typeof VisitSummary>;

export const CloseVisitInput = Type.Object(
  {
    status: Type.Union([Type.Literal('completed'), Type.Literal('cancelled')]),
    by: Type.String({ minLength: 1, description: 'staff id' }),
    reason: Type.Optional(
      Type.String({ minLength: 1, description: 'required to cancel: why the visit ends without completing' }),
    ),
  },
  { $id: 'CloseVisitInput', additionalProperties: false },
);
export type CloseVisitInput = Static<typeof CloseVisitInput>;

/** One 手続ナビ procedure of a visit, and whether its form has been accepted. */
export const ProcedureProgress = Type.Object(
  {
    procedureId: Type.Optional(Type.String({ description: 'absent for a form staff added' })),
    title: Type.String(),
    formId: Type.Optional(Type.String()),
    persons: Type.Array(Type.String()),
    due: Type.Optional(Type.Object({ date: Type.String({ format: 'date' }), note: Type.String() })),
    state: Type.Union([Type.Literal('accepted'), Type.Literal('due'), Type.Literal('no-form')], {
      description:
        'accepted: its form was accepted; due: still to accept; no-form: done at a counter without a hub form',
    }),
    submissionIds: Type.Array(Type.String()),
  },
  { $id: 'ProcedureProgress' },
);

export const VisitProgress = Type.Object(
  {
    visitId: Type.String(),
    status: Type.Ref(VisitStatus),
    items: Type.Array(Type.Ref(ProcedureProgress)),
    totals: Type.Object({ accepted: Type.Integer(), due: Type.Integer(), noForm: Type.Integer() }),
  },
  { $id: 'VisitProgress' },
);
export type VisitProgress = Static<typeof VisitProgress>;

/** One procedure 手続ナビ says the visit needs, with the reason for staff. */
export const Procedure = Type.Object(
  {
    id: Type.String(),
    formId: Type.Optional(Type.String()),
    title: Type.String(),
    reason: Type.String(),
    persons: Type.Array(Type.String()),
    due: Type.Optional(Type.Object({ date: Type.String({ format: 'date' }), note: Type.String() })),
    notes: Type.Optional(Type.Array(Type.String())),
  },
  { $id: 'Procedure' },
);

export const VisitProcedures = Type.Object(
  {
    items: Type.Array(Type.Ref(Procedure)),
    total: Type.Integer(),
    review: Type.Array(Type.Object({ personId: Type.String(), rule: Type.String(), reason: Type.String() }), {
      description: 'rules that could not be decided (e.g. a 不詳 birth date): ask, do not guess',
    }),
  },
  { $id: 'VisitProcedures' },
);
