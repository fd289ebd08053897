import { type Static, Type } from '@sinclair/typebox';

export const Address = Type.Object(
  {
    postalCode: Type.Optional(Type.String({ pattern: '^\\d{7}$', description: '7 ASCII digits' })),
    cityCode: Type.Optional(Type.String({ pattern: '^\\d{5,6}$', description: '市区町村コード' })),
    townCode: Type.Optional(Type.String({ pattern: '^\\d{1,12}$', description: '町字コード' })),
    prefecture: Type.Optional(Type.String()),
    city: Type.Optional(Type.String()),
    town: Type.Optional(Type.String({ description: '町字' })),
    block: Type.Optional(Type.String({ description: '番地号表記, as printed' })),
    building: Type.Optional(Type.String({ description: '方書' })),
    full: Type.Optional(Type.String()),
  },
  { $id: 'Address', additionalProperties: false },
);
export type Address = Static<typeof Address>;
