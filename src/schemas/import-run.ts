import { type Static, Type } from '@sinclair/typebox';

export const ImportCounts = Type.Object(
  {
    read: Type.Integer(),
    inserted: Type.Integer(),
    updated: Type.Integer(),
    unchanged: Type.Integer(),
    rejected: Type.Integer(),
    skipped: Type.Integer({
      description: 'rows that are not current (最新フラグ ≠ 1), kept in the file registry only',
    }),
    missing: Type.Integer({ description: 'persons absent from this full export, now marked' }),
  },
  { $id: 'ImportCounts' },
);
export type ImportCounts = Static<typeof ImportCounts>;

export const RejectEntry = Type.Object(
  {
    line: Type.Integer(),
    column: Type.Optional(Type.Integer()),
    field: Type.Optional(Type.String()),
    code: Type.String(),
    message: Type.String(),
  },
  { $id: 'RejectEntry' },
);
export type RejectEntry = Static<typeof RejectEntry>;

export const Reject = Type.Composite(
  [
    RejectEntry,
    Type.Object({
      importId: Type.String(),
      raw: Type.Optional(Type.String({ description: 'the raw bytes of the row, base64' })),
      withheld: Type.Optional(
        Type.Array(Type.String(), {
          description:
            '`raw` when the row may not be shown: no purpose given, or it concerns a restricted person',
        }),
      ),
    }),
  ],
  { $id: 'Reject' },
);
export type Reject = Static<typeof Reject>;

export const ImportStatus = Type.Union(
  [Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('unchanged'), Type.Literal('failed')],
  { $id: 'ImportStatus' },
);
export type ImportStatus = Static<typeof ImportStatus>;

export const ImportRun = Type.Object(
  {
    id: Type.String(),
    adapter: Type.String(),
    file: Type.String(),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    bytes: Type.Integer(),
    encoding: Type.Optional(Type.String({ description: 'the encoding used, and whether it was detected' })),
    encodingDetected: Type.Optional(Type.Boolean()),
    mode: Type.Union([Type.Literal('full'), Type.Literal('delta')]),
    status: Type.Ref(ImportStatus),
    duplicateOf: Type.Optional(Type.String({ description: 'the earlier run that imported the same bytes' })),
    counts: Type.Ref(ImportCounts),
    error: Type.Optional(Type.Ref(RejectEntry, { description: 'why the whole file failed' })),
    startedAt: Type.String({ format: 'date-time' }),
    finishedAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { $id: 'ImportRun' },
);
export type ImportRun = Static<typeof ImportRun>;
