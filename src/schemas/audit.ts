import { type Static, Type } from '@sinclair/typebox';

const Hash = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256, lower-case hex' });

/** Where a row sits in the hash chain; `docs/audit-chain.md` tells how to recompute `hash`. */
export const AuditChainLink = Type.Object(
  {
    seq: Type.Integer({ minimum: 1, description: 'place in the chain: 1, 2, 3, … without gaps' }),
    prevHash: { ...Hash, description: 'the previous row’s hash (64 zeros for the first row)' },
    hash: { ...Hash, description: 'SHA-256 over this row’s canonical content and prevHash' },
  },
  { $id: 'AuditChainLink', additionalProperties: false },
);
export type AuditChainLink = Static<typeof AuditChainLink>;

/** One audit row: who read or wrote whose personal data, why, and when. */
export const AuditRecord = Type.Object(
  {
    id: Type.Integer(),
    at: Type.String({ format: 'date-time', description: 'UTC, milliseconds, as hashed' }),
    clientId: Type.String(),
    staffId: Type.Optional(Type.String()),
    visitId: Type.Optional(Type.String()),
    purpose: Type.Optional(Type.String()),
    action: Type.String(),
    subjects: Type.Array(Type.String(), { description: 'the persons (hub person ids)' }),
    fields: Type.Array(Type.String()),
    restrictedReason: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
    chain: Type.Ref(AuditChainLink),
  },
  { $id: 'AuditRecord', additionalProperties: false },
);
export type AuditRecord = Static<typeof AuditRecord>;

/** The filters of `GET /v1/audit`; all given filters must match. */
export const AuditFilters = Type.Object({
  client: Type.Optional(Type.String({ description: 'a client id' })),
  staff: Type.Optional(Type.String({ description: 'a staff id (X-Staff-Id)' })),
  person: Type.Optional(Type.String({ description: 'a person id among the subjects' })),
  subject: Type.Optional(Type.String({ description: 'a person id among the subjects (same as person)' })),
  actor: Type.Optional(Type.String({ description: 'a client id or staff id' })),
  visit: Type.Optional(Type.String({ description: 'a visit id' })),
  purpose: Type.Optional(Type.String({ description: 'text contained in the purpose' })),
  action: Type.Optional(Type.String({ description: 'an action, e.g. residents.read' })),
  restricted: Type.Optional(Type.Boolean({ description: 'only rows with a restricted-access reason' })),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'at or after' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'before' })),
});
export type AuditFilters = Static<typeof AuditFilters>;

export const AuditProblem = Type.Union(
  [
    Type.Literal('content-modified'),
    Type.Literal('unlinked'),
    Type.Literal('missing-before'),
    Type.Literal('out-of-order'),
    Type.Literal('beyond-head'),
    Type.Literal('missing-at-end'),
    Type.Literal('head-mismatch'),
    Type.Literal('head-missing'),
    Type.Literal('anchor-mismatch'),
    Type.Literal('anchor-missing'),
  ],
  { $id: 'AuditProblem', description: 'what is wrong with the first bad row' },
);
export type AuditProblem = Static<typeof AuditProblem>;

/** `SEQ:HASH`: a place and its hash written down earlier, outside the database. */
export const AuditAnchorText = Type.String({
  pattern: '^[1-9][0-9]*:[0-9a-f]{64}$',
  description: 'a chain head written down earlier, as SEQ:HASH; the chain must still pass through it',
});

/** The answer of `audit verify` and `GET /v1/audit/verify`. */
export const AuditVerification = Type.Object(
  {
    ok: Type.Boolean({ description: 'true when every row is intact and in its place' }),
    checked: Type.Integer({ description: 'rows checked before the first bad row, or all rows' }),
    head: Type.Union([Type.Object({ seq: Type.Integer(), hash: Type.String() }), Type.Null()], {
      description: 'the chain head as recorded (last place and hash); keep it elsewhere to detect a rewrite',
    }),
    firstBad: Type.Optional(
      Type.Object({
        id: Type.Union([Type.Integer(), Type.Null()], {
          description: 'the first bad row, null when rows are missing at the end',
        }),
        seq: Type.Integer(),
        problem: Type.Ref(AuditProblem),
        message: Type.String({ description: 'for operators, in Japanese' }),
        detail: Type.String({ description: 'the same in English' }),
      }),
    ),
  },
  { $id: 'AuditVerification', additionalProperties: false },
);
export type AuditVerification = Static<typeof AuditVerification>;
