import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Program } from '../schemas/enrolment.ts';

export const LifeEvent = Type.Union(
  [
    Type.Literal('tennyu'),
    Type.Literal('tenshutsu'),
    Type.Literal('tenkyo'),
    Type.Literal('shussei'),
    Type.Literal('shibou'),
  ],
  { $id: 'LifeEvent', description: '転入, 転出, 転居, 出生, 死亡' },
);
export type LifeEvent = Static<typeof LifeEvent>;

const InsuranceFlag = Type.Union([
  Type.Literal('kokuho'),
  Type.Literal('kouki'),
  Type.Literal('kaigo'),
  Type.Literal('nenkin'),
  Type.Literal('jidouTeate'),
]);

/** A condition over one person (or, with anyPerson / acrossPrefectures, over the visit). */
export const Condition = Type.Recursive(
  (Self) =>
    Type.Union([
      Type.Object({ all: Type.Array(Self, { minItems: 1 }) }, { additionalProperties: false }),
      Type.Object({ any: Type.Array(Self, { minItems: 1 }) }, { additionalProperties: false }),
      Type.Object({ not: Self }, { additionalProperties: false }),
      Type.Object(
        {
          age: Type.Object(
            {
              gte: Type.Optional(Type.Integer({ minimum: 0 })),
              lt: Type.Optional(Type.Integer({ minimum: 0 })),
            },
            {
              additionalProperties: false,
              description: 'age at the reference date; a 不詳 birth date is flagged for review',
            },
          ),
        },
        { additionalProperties: false },
      ),
      Type.Object(
        {
          highSchoolAgeOrYounger: Type.Boolean({
            description: 'up to the first 3月31日 after 18 (児童手当)',
          }),
        },
        { additionalProperties: false },
      ),
      Type.Object(
        { compulsorySchoolAge: Type.Boolean({ description: '学齢 (小・中学校)' }) },
        { additionalProperties: false },
      ),
      Type.Object(
        { insuredBefore: InsuranceFlag },
        {
          additionalProperties: false,
          description: 'enrolled at the previous municipality (転出証明書) or per the 住記 record',
        },
      ),
      Type.Object(
        { enrolled: Type.Ref(Program) },
        { additionalProperties: false, description: 'an active enrolment in a departmental system' },
      ),
      Type.Object(
        { pensionKind: Type.Array(Type.String(), { minItems: 1 }) },
        { additionalProperties: false },
      ),
      Type.Object(
        {
          relationship: Type.Array(Type.String({ pattern: '^\\d{2}$' }), {
            minItems: 1,
            description: 'the first 続柄 code',
          }),
        },
        { additionalProperties: false },
      ),
      Type.Object(
        { anyPerson: Self },
        { additionalProperties: false, description: 'some person of the visit' },
      ),
      Type.Object(
        { acrossPrefectures: Type.Boolean({ description: 'the 転入 comes from another 都道府県' }) },
        { additionalProperties: false },
      ),
    ]),
  { $id: 'Condition' },
);
export type Condition = Static<typeof Condition>;

export const ProcedureRule = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9-]+$', description: 'procedure id (often the form id)' }),
    formId: Type.Optional(Type.String({ description: 'the form that carries it, when there is one' })),
    title: Type.String(),
    events: Type.Array(Type.Ref(LifeEvent), { minItems: 1 }),
    per: Type.Union([Type.Literal('person'), Type.Literal('visit')], {
      description:
        'person: the rule is checked per person and names who it is for; visit: once for the visit',
    }),
    when: Type.Optional(Type.Ref(Condition)),
    reason: Type.String({
      description: 'shown to staff; {name} and {age} are filled in for per-person rules',
    }),
    due: Type.Optional(
      Type.Object(
        {
          from: Type.Union([Type.Literal('referenceDate'), Type.Literal('plannedMoveOn')]),
          days: Type.Integer({ minimum: 0, description: 'counted from the day after (民法第140条)' }),
          note: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
    notes: Type.Optional(
      Type.Array(
        Type.Object({ when: Type.Ref(Condition), text: Type.String() }, { additionalProperties: false }),
        {
          description: 'extra lines shown when their condition holds (e.g. 負担区分等証明書)',
        },
      ),
    ),
  },
  { $id: 'ProcedureRule', additionalProperties: false },
);
export type ProcedureRule = Static<typeof ProcedureRule>;

export const ProcedureRulesFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    rules: Type.Array(Type.Ref(ProcedureRule), { minItems: 1 }),
  },
  { $id: 'ProcedureRulesFile', additionalProperties: false },
);
export type ProcedureRulesFile = Static<typeof ProcedureRulesFile>;

export const ruleReferences: TSchema[] = [ProcedureRule, Condition, LifeEvent, Program];
