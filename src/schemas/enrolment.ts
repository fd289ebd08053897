import { type Static, Type } from '@sinclair/typebox';
import { HubDate } from './common.ts';
import { GaijiUse } from './person.ts';

export const Program = Type.Union(
  [
    Type.Literal('kokuho'),
    Type.Literal('kouki'),
    Type.Literal('kaigo'),
    Type.Literal('jidou-teate'),
    Type.Literal('kodomo-iryo'),
    Type.Literal('nenkin'),
    Type.Literal('school'),
  ],
  { $id: 'Program' },
);
export type Program = Static<typeof Program>;

/** A person's status in one departmental program, as a mapping produces it. */
export const EnrolmentRecord = Type.Object(
  {
    program: Type.Ref(Program),
    atenaNo: Type.String({
      pattern: '^[1-9]\\d{0,14}$',
      description: '宛名番号 of the person it belongs to',
    }),
    number: Type.Optional(
      Type.String({ description: '被保険者番号, 受給者番号, 受給者証番号, 国保記号番号 …' }),
    ),
    status: Type.Optional(
      Type.Union([Type.Literal('active'), Type.Literal('suspended'), Type.Literal('ended')], {
        description: 'from the source when it says; otherwise active until `until`',
      }),
    ),
    since: Type.Optional(Type.Ref(HubDate)),
    until: Type.Optional(Type.Ref(HubDate)),
    details: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String()), Type.Ref(HubDate)]), {
        description: 'program-specific values (資格区分, 負担割合, 要介護状態区分, 対象児童, 口座 …)',
      }),
    ),
    extras: Type.Optional(Type.Record(Type.String(), Type.String())),
    needsReview: Type.Optional(Type.Array(Type.String())),
    gaiji: Type.Optional(Type.Array(GaijiUse)),
  },
  { $id: 'EnrolmentRecord', additionalProperties: false },
);
export type EnrolmentRecord = Static<typeof EnrolmentRecord>;

export const Enrolment = Type.Composite(
  [
    Type.Object({
      id: Type.String(),
      personId: Type.Optional(
        Type.String({ description: 'absent while the 宛名番号 is not in the register yet' }),
      ),
    }),
    Type.Omit(EnrolmentRecord, ['extras', 'gaiji']),
    Type.Object({
      provenance: Type.Object({
        adapter: Type.String(),
        importId: Type.String(),
        file: Type.String(),
        line: Type.Integer(),
        asOf: Type.String(),
      }),
    }),
  ],
  { $id: 'Enrolment' },
);
export type Enrolment = Static<typeof Enrolment>;
