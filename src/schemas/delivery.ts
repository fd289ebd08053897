import { Type } from '@sinclair/typebox';

export const Delivery = Type.Object(
  {
    id: Type.String(),
    target: Type.String(),
    status: Type.Union([
      Type.Literal('pending'),
      Type.Literal('delivered'),
      Type.Literal('failed'),
      Type.Literal('dead'),
    ]),
    attempts: Type.Integer(),
    lastError: Type.Optional(Type.String()),
    nextAttemptAt: Type.Optional(Type.String({ format: 'date-time' })),
    deliveredAt: Type.Optional(Type.String({ format: 'date-time' })),
    artifact: Type.Optional(
      Type.Object({ path: Type.String(), sha256: Type.String(), rows: Type.Integer() }),
    ),
  },
  { $id: 'Delivery' },
);
