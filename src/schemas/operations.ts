import { type Static, Type } from '@sinclair/typebox';
import { AuditVerification } from './audit.ts';
import { ImportStatus } from './import-run.ts';

/** Where a delivery stands in the outbox. */
export const DeliveryStatus = Type.Union(
  [Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed'), Type.Literal('dead')],
  { $id: 'DeliveryStatus' },
);
export type DeliveryStatus = Static<typeof DeliveryStatus>;

/** One outbox row as operators see it: no values of the submission, only where it stands. */
export const OutboxDelivery = Type.Object(
  {
    id: Type.String(),
    submissionId: Type.String(),
    formId: Type.String(),
    target: Type.String(),
    status: Type.Ref(DeliveryStatus),
    attempts: Type.Integer(),
    lastError: Type.Optional(Type.String({ description: 'the error of the last attempt' })),
    nextAttemptAt: Type.Optional(Type.String({ format: 'date-time' })),
    deliveredAt: Type.Optional(Type.String({ format: 'date-time' })),
    createdAt: Type.String({ format: 'date-time' }),
    artifact: Type.Optional(
      Type.Object({ path: Type.String(), sha256: Type.String(), rows: Type.Integer() }),
    ),
  },
  { $id: 'OutboxDelivery' },
);
export type OutboxDelivery = Static<typeof OutboxDelivery>;

export const DeliveryFilter = Type.Object({
  status: Type.Optional(Type.Ref(DeliveryStatus)),
  target: Type.Optional(Type.String({ description: 'a target id (write adapter id)' })),
  submission: Type.Optional(Type.String({ description: 'a submission id' })),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'created at or after' })),
});
export type DeliveryFilter = Static<typeof DeliveryFilter>;

export const ImportFilter = Type.Object({
  status: Type.Optional(Type.Ref(ImportStatus)),
  adapter: Type.Optional(Type.String()),
  source: Type.Optional(
    Type.String({ description: 'who brought the file: an API client id, `job:<name>`, `cli`' }),
  ),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'started at or after' })),
  rejects: Type.Optional(Type.Boolean({ description: 'true: only runs with rejected rows; false: without' })),
});
export type ImportFilter = Static<typeof ImportFilter>;

export const RedeliverResult = Type.Object(
  {
    target: Type.Optional(Type.String()),
    redelivered: Type.Integer({ description: 'deliveries put back in the outbox' }),
  },
  { $id: 'RedeliverResult' },
);
export type RedeliverResult = Static<typeof RedeliverResult>;

export const JobRun = Type.Object(
  {
    id: Type.String(),
    job: Type.String(),
    trigger: Type.Union([Type.Literal('schedule'), Type.Literal('api'), Type.Literal('cli')]),
    status: Type.Union([
      Type.Literal('running'),
      Type.Literal('succeeded'),
      Type.Literal('failed'),
      Type.Literal('skipped'),
    ]),
    counts: Type.Record(Type.String(), Type.Integer()),
    error: Type.Optional(Type.String()),
    startedAt: Type.String({ format: 'date-time' }),
    finishedAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { $id: 'JobRun' },
);
export type JobRun = Static<typeof JobRun>;

export const JobInfo = Type.Object(
  {
    name: Type.String(),
    kind: Type.String(),
    schedule: Type.String(),
    adapter: Type.Optional(Type.String()),
    dir: Type.Optional(Type.String()),
    nextRun: Type.Optional(
      Type.String({ format: 'date-time', description: 'the next time its schedule fires' }),
    ),
    lastRun: Type.Optional(Type.Ref(JobRun)),
  },
  { $id: 'JobInfo' },
);
export type JobInfo = Static<typeof JobInfo>;

/** The newest import of one source (an adapter fed by one client or job). */
export const SourceImport = Type.Object({
  adapter: Type.String(),
  source: Type.Optional(Type.String()),
  importId: Type.String(),
  file: Type.String(),
  status: Type.Ref(ImportStatus),
  rejected: Type.Integer(),
  startedAt: Type.String({ format: 'date-time' }),
  lastSuccessAt: Type.Optional(
    Type.String({ format: 'date-time', description: 'the last run that applied its file' }),
  ),
});

export const TargetDeliveries = Type.Object({
  target: Type.String(),
  pending: Type.Integer(),
  failed: Type.Integer(),
  dead: Type.Integer(),
  delivered: Type.Integer(),
});

export const Dashboard = Type.Object(
  {
    at: Type.String({ format: 'date-time' }),
    imports: Type.Array(SourceImport),
    deliveries: Type.Object({
      targets: Type.Array(TargetDeliveries),
      outboxDepth: Type.Integer({ description: 'pending and failed deliveries' }),
      oldestPendingAgeSeconds: Type.Union([Type.Number(), Type.Null()]),
      failed: Type.Integer(),
      dead: Type.Integer(),
      problems: Type.Array(Type.Ref(OutboxDelivery), {
        description: 'the newest dead and failed deliveries (at most 20), each with its last error',
      }),
    }),
    jobs: Type.Array(Type.Ref(JobInfo)),
    audit: Type.Object({
      entries: Type.Integer(),
      lastAt: Type.Optional(Type.String({ format: 'date-time' })),
      chain: Type.Union([Type.Literal('ok'), Type.Literal('broken'), Type.Literal('unverified')], {
        description: 'the audit hash chain, checked when asked (`verifyAudit=true`), else `unverified`',
      }),
      verification: Type.Optional(Type.Ref(AuditVerification)),
    }),
  },
  { $id: 'Dashboard' },
);
export type Dashboard = Static<typeof Dashboard>;
