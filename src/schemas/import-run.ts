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
  [
    Type.Literal('running'),
    Type.Literal('succeeded'),
    Type.Literal('partial'),
    Type.Literal('unchanged'),
    Type.Literal('failed'),
  ],
  {
    $id: 'ImportStatus',
    description:
      'succeeded: every row imported; partial: imported, some rows rejected (see rejects); unchanged: these bytes are already the latest state of their source, nothing written; failed: nothing written (unreadable file, missing column, every row rejected, rejects above the limit)',
  },
);
export type ImportStatus = Static<typeof ImportStatus>;

export const ImportWarning = Type.Object(
  {
    code: Type.String({ description: 'a HUB_ERR_… code, e.g. HUB_ERR_UNKNOWN_COLUMN' }),
    column: Type.Optional(Type.Integer({ description: '1-based position of the column in the file' })),
    field: Type.Optional(Type.String({ description: 'the column name as spelled in the file' })),
    message: Type.String(),
  },
  { $id: 'ImportWarning', description: 'something about the whole file that did not stop the run' },
);
export type ImportWarning = Static<typeof ImportWarning>;

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
    source: Type.Optional(
      Type.String({
        description: 'who brought the file: an API client id, `job:<name>` for an inbound job, `cli`, `demo`',
      }),
    ),
    duplicateOf: Type.Optional(Type.String({ description: 'the earlier run that imported the same bytes' })),
    counts: Type.Ref(ImportCounts),
    warnings: Type.Array(Type.Ref(ImportWarning), {
      description: 'run-level warnings, e.g. a column neither mapped nor declared ignored',
    }),
    error: Type.Optional(Type.Ref(RejectEntry, { description: 'why the whole file failed' })),
    startedAt: Type.String({ format: 'date-time' }),
    finishedAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { $id: 'ImportRun' },
);
export type ImportRun = Static<typeof ImportRun>;
