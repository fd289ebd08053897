import { type Static, Type } from '@sinclair/typebox';
import { Address } from './address.ts';
import { HubDate, Provenance } from './common.ts';

const Str = (description?: string) => Type.Optional(Type.String(description ? { description } : {}));
const DateRef = (description: string) => Type.Optional(Type.Ref(HubDate, { description }));

/** A 外字 found in a record: where, its CP932 code, and what the municipality's table made of it. */
export const GaijiUse = Type.Object(
  {
    field: Type.String(),
    sjis: Type.String({ description: 'the CP932 user-defined code, e.g. F040' }),
    unicode: Type.Optional(
      Type.String({ description: 'the character the 外字 table gives; absent when unmapped' }),
    ),
    mj: Type.Optional(Type.String({ description: 'MJ文字図形名' })),
    tableVersion: Type.Optional(Type.String({ description: 'SHA-256 of the 外字 table used' })),
  },
  { additionalProperties: false },
);

export const PersonName = Type.Object(
  { full: Type.String(), family: Str(), given: Str() },
  { $id: 'PersonName', additionalProperties: false },
);

const Enrolment = Type.Object(
  { enrolled: Type.Boolean(), since: DateRef('資格取得年月日') },
  { additionalProperties: false },
);

export const PersonStatus = Type.Union(
  [
    Type.Literal('resident'),
    Type.Literal('moved-out'),
    Type.Literal('deceased'),
    Type.Literal('removed'),
    Type.Literal('non-resident'),
  ],
  { $id: 'PersonStatus', description: '住民状態: 住登者 / 転出者 / 死亡者 / 消除 / 住登外' },
);

/** The canonical data of one person, as a mapping produces it (no hub id, no provenance). */
export const PersonRecord = Type.Object(
  {
    municipalityCode: Type.String({ pattern: '^\\d{5,6}$', description: '市区町村コード of the source' }),
    atenaNo: Type.String({
      pattern: '^[1-9]\\d{0,14}$',
      description: '宛名番号, digits without leading zeros',
    }),
    householdId: Type.Optional(Type.String({ pattern: '^[1-9]\\d{0,14}$', description: '世帯番号' })),
    residentCode: Type.Optional(Type.String({ pattern: '^\\d{11}$', description: '住民票コード' })),
    myNumber: Type.Optional(
      Type.String({ pattern: '^\\d{12}$', description: '個人番号 (scope mynumber:read)' }),
    ),
    status: Type.Ref(PersonStatus),
    residentType: Type.Union([Type.Literal('japanese'), Type.Literal('foreign')]),
    name: Type.Ref(PersonName),
    kana: Type.Optional(
      Type.Object({ full: Str(), family: Str(), given: Str() }, { additionalProperties: false }),
    ),
    romanName: Str('氏名_外国人ローマ字'),
    oldName: Str('旧氏'),
    alias: Str('通称'),
    aliasKana: Str('通称_フリガナ'),
    sex: Type.Object(
      { code: Type.Union([Type.Literal('0'), Type.Literal('1'), Type.Literal('2')]), label: Str() },
      { additionalProperties: false },
    ),
    birthDate: Type.Ref(HubDate),
    relationship: Type.Object(
      {
        codes: Type.Array(Type.String({ pattern: '^\\d{2}$' }), { minItems: 1, maxItems: 4 }),
        label: Str('続柄表記 as printed'),
      },
      { additionalProperties: false },
    ),
    householdHeadName: Str('世帯主氏名'),
    householdOrder: Type.Optional(Type.Integer({ minimum: 1, description: '記載順位' })),
    address: Type.Optional(Type.Ref(Address)),
    addressSince: DateRef('住所を定めた年月日'),
    residentSince: DateRef('住民となった年月日'),
    changedOn: DateRef('異動年月日'),
    notifiedOn: DateRef('異動届出年月日'),
    previousAddress: Type.Optional(Type.Ref(Address, { description: '転入前住所' })),
    registeredDomicile: Type.Optional(
      Type.Object(
        {
          address: Str('本籍'),
          town: Str(),
          block: Str(),
          cityCode: Str(),
          townCode: Str(),
          headName: Str('戸籍_筆頭者'),
          headFamily: Str(),
          headGiven: Str(),
        },
        { additionalProperties: false, description: '本籍 and 筆頭者' },
      ),
    ),
    moveOut: Type.Optional(
      Type.Object(
        {
          notifiedOn: DateRef('転出届出年月日'),
          plannedOn: DateRef('転出予定年月日'),
          confirmedOn: DateRef('転出年月日（確定）'),
          destination: Type.Optional(Type.Ref(Address, { description: '転出先住所（確定）' })),
        },
        { additionalProperties: false },
      ),
    ),
    removal: Type.Optional(
      Type.Object(
        {
          reasonCode: Str('消除の事由'),
          notifiedOn: DateRef('消除の届出年月日'),
          on: DateRef('消除の異動年月日'),
        },
        { additionalProperties: false },
      ),
    ),
    foreign: Type.Optional(
      Type.Object(
        {
          nationalityCode: Str(),
          nationality: Str(),
          article30_45: Str('第30条45規定区分, 2 digits'),
          statusCode: Str('在留資格等コード'),
          period: Type.Optional(
            Type.Object(
              { years: Type.Integer(), months: Type.Integer(), days: Type.Integer() },
              { additionalProperties: false },
            ),
          ),
          expiresOn: DateRef('在留期間の満了の日'),
          cardNumber: Str('在留カード等番号'),
          since: DateRef('外国人住民となった年月日'),
        },
        { additionalProperties: false },
      ),
    ),
    insurance: Type.Optional(
      Type.Object(
        {
          kokuho: Type.Optional(Enrolment),
          kouki: Type.Optional(Enrolment),
          kaigo: Type.Optional(Enrolment),
          nenkin: Type.Optional(
            Type.Object(
              { enrolled: Type.Boolean(), since: DateRef('年金資格取得年月日'), number: Str(), kind: Str() },
              { additionalProperties: false },
            ),
          ),
          jidouTeate: Type.Optional(
            Type.Object(
              {
                kind: Str('児童手当資格区分'),
                since: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}$' })),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    adultWard: Type.Optional(Type.Boolean({ description: '成年被後見人' })),
    restrictions: Type.Object(
      {
        supportMeasure: Type.Boolean({ description: '支援措置 or 仮支援措置 in force' }),
        supportMeasureCode: Str('支援措置区分 as given'),
        noCrossReference: Type.Boolean({ description: '他業務参照不可' }),
      },
      { additionalProperties: false },
    ),
    needsReview: Type.Optional(
      Type.Array(Type.String(), { description: 'e.g. UNMAPPED_GAIJI, CHECK_DIGIT:atenaNo' }),
    ),
    gaiji: Type.Optional(
      Type.Array(GaijiUse, { description: '外字 found in this record and how each was resolved' }),
    ),
    extras: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'source columns the hub does not model' }),
    ),
  },
  { $id: 'PersonRecord', additionalProperties: false },
);
export type PersonRecord = Static<typeof PersonRecord>;

/** A person as the API answers: the record plus the hub's identity and provenance. */
export const Person = Type.Composite(
  [
    Type.Object({
      id: Type.String({ description: "the hub's opaque person id; never changes" }),
    }),
    Type.Partial(
      Type.Omit(PersonRecord, ['status', 'residentType', 'name', 'sex', 'birthDate', 'restrictions']),
    ),
    Type.Pick(PersonRecord, ['status', 'residentType', 'name', 'sex', 'birthDate', 'restrictions']),
    Type.Object({
      missingSince: Type.Optional(
        Type.String({ format: 'date-time', description: 'absent from the latest full export since' }),
      ),
      withheld: Type.Optional(Type.Array(Type.String(), { description: 'fields left out for this client' })),
      provenance: Type.Ref(Provenance),
      updatedAt: Type.String({ format: 'date-time' }),
    }),
  ],
  { $id: 'Person' },
);
export type Person = Static<typeof Person>;

export const Household = Type.Object(
  {
    id: Type.String({ description: '世帯番号' }),
    headPersonId: Type.Optional(Type.String()),
    headName: Type.Optional(Type.String()),
    address: Type.Optional(Type.Ref(Address)),
    members: Type.Optional(
      Type.Array(
        Type.Object({
          personId: Type.String(),
          order: Type.Optional(Type.Integer({ description: '記載順位' })),
          name: Type.String(),
          relationship: Type.Object({
            codes: Type.Array(Type.String()),
            label: Type.Optional(Type.String()),
          }),
          status: Type.Ref(PersonStatus),
        }),
      ),
    ),
    withheld: Type.Optional(Type.Array(Type.String())),
  },
  { $id: 'Household' },
);
export type Household = Static<typeof Household>;
