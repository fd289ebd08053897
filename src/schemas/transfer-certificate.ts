import { type Static, Type } from '@sinclair/typebox';
import { Address } from './address.ts';
import { HubDate } from './common.ts';
import { PersonName } from './person.ts';

const Str = (description?: string) => Type.Optional(Type.String(description ? { description } : {}));
const Enrolled = Type.Object({ enrolled: Type.Boolean() }, { additionalProperties: false });

/** One person of a 転出証明書 with the certificate's own fields, as a mapping produces it. */
export const TransferPersonRecord = Type.Object(
  {
    certificate: Type.Object(
      {
        number: Type.String({ minLength: 1, description: '証明書番号' }),
        version: Str('版'),
        issuedOn: Type.Optional(Type.Ref(HubDate, { description: '交付年月日' })),
        issuingCode: Type.Optional(Type.String({ pattern: '^\\d{6}$', description: '交付市区町村 コード' })),
        issuingName: Str('交付市区町村'),
        plannedMoveOn: Type.Optional(Type.Ref(HubDate, { description: '転出予定年月日' })),
        previousAddress: Type.Optional(Type.Ref(Address, { description: '従前の住所' })),
        destination: Type.Optional(Type.Ref(Address, { description: '転出先' })),
        headName: Str('世帯主 氏名'),
        note: Str('備考'),
      },
      { additionalProperties: false },
    ),
    order: Type.Integer({ minimum: 1, description: '順位 (住民票の記載順)' }),
    residentCode: Type.Optional(Type.String({ pattern: '^\\d{11}$' })),
    myNumber: Type.Optional(Type.String({ pattern: '^\\d{12}$' })),
    residentType: Type.Union([Type.Literal('japanese'), Type.Literal('foreign')]),
    name: Type.Ref(PersonName),
    kana: Type.Optional(Type.Object({ full: Str() }, { additionalProperties: false })),
    alias: Str('通称'),
    aliasKana: Str('通称フリガナ'),
    birthDate: Type.Ref(HubDate),
    sex: Type.Object(
      { code: Type.Union([Type.Literal('0'), Type.Literal('1'), Type.Literal('2')]), label: Str() },
      { additionalProperties: false },
    ),
    relationship: Type.Object(
      { codes: Type.Array(Type.String({ pattern: '^\\d{2}$' }), { minItems: 1, maxItems: 4 }), label: Str() },
      { additionalProperties: false },
    ),
    registeredDomicile: Type.Optional(
      Type.Object({ address: Str('本籍'), headName: Str('筆頭者') }, { additionalProperties: false }),
    ),
    residentSince: Type.Optional(Type.Ref(HubDate, { description: '住民となった年月日' })),
    foreign: Type.Optional(
      Type.Object(
        {
          nationality: Str(),
          article30_45: Str('区分'),
          statusCode: Str('在留資格'),
          period: Str('在留期間 as printed'),
          expiresOn: Type.Optional(Type.Ref(HubDate)),
          cardNumber: Str(),
        },
        { additionalProperties: false },
      ),
    ),
    insurance: Type.Optional(
      Type.Object(
        {
          kokuho: Type.Optional(Enrolled),
          kouki: Type.Optional(Enrolled),
          kaigo: Type.Optional(Enrolled),
          nenkin: Type.Optional(
            Type.Object(
              { enrolled: Type.Boolean(), kind: Str('種別'), number: Str('基礎年金番号') },
              { additionalProperties: false },
            ),
          ),
          jidouTeate: Type.Optional(
            Type.Object(
              { enrolled: Type.Boolean(), since: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}$' })) },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false, description: 'enrolments at the previous municipality' },
      ),
    ),
    needsReview: Type.Optional(Type.Array(Type.String())),
    gaiji: Type.Optional(Type.Array(Type.Unknown())),
    extras: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { $id: 'TransferPersonRecord', additionalProperties: false },
);
export type TransferPersonRecord = Static<typeof TransferPersonRecord>;

export const TransferPerson = Type.Composite(
  [
    Type.Object({
      id: Type.String({ description: 'the hub person id, kept when the person enters the 住記 register' }),
      matchedPersonId: Type.Optional(
        Type.String({ description: 'the resident this person became (same id)' }),
      ),
      withheld: Type.Optional(Type.Array(Type.String())),
    }),
    Type.Omit(TransferPersonRecord, ['certificate']),
  ],
  { $id: 'TransferPerson' },
);

export const TransferCertificate = Type.Object(
  {
    id: Type.String(),
    number: Type.String(),
    issuedOn: Type.Optional(Type.Ref(HubDate)),
    issuingMunicipality: Type.Object({ code: Str(), name: Str() }),
    plannedMoveOn: Type.Optional(Type.Ref(HubDate)),
    previousAddress: Type.Optional(Type.Ref(Address)),
    destination: Type.Optional(Type.Ref(Address)),
    headName: Str(),
    status: Type.Union([Type.Literal('pending'), Type.Literal('registered')], {
      description: 'registered once every person appears in a 住記 export',
    }),
    version: Type.Integer({
      minimum: 1,
      description:
        '1, plus one for each import of this number with other content (earlier versions are kept)',
    }),
    persons: Type.Array(Type.Ref(TransferPerson)),
    provenance: Type.Object({
      adapter: Type.String(),
      importId: Type.String(),
      file: Type.String(),
      asOf: Type.String({ format: 'date-time' }),
    }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'TransferCertificate' },
);
export type TransferCertificate = Static<typeof TransferCertificate>;
