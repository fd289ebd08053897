import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import cron from 'node-cron';
import { HubError } from '../errors.ts';
import { parseRejectLimit } from '../ingest/reject-limit.ts';
import { formatIssue, loadYaml } from '../mapping/yaml-file.ts';

const SftpTransportSchema = Type.Object(
  {
    type: Type.Literal('sftp'),
    host: Type.String(),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 22 }),
    username: Type.String(),
    privateKeyFile: Type.String({ description: 'secret: the private key file' }),
    dir: Type.String({ description: 'the remote folder' }),
    hostKeySha256: Type.String({ description: 'pinned host key fingerprint (ssh-keygen -lf), SHA256:…' }),
  },
  { additionalProperties: false },
);

const FolderSource = Type.Object(
  {
    type: Type.Literal('folder'),
    dir: Type.String({ description: 'where the core system drops its files' }),
  },
  { additionalProperties: false },
);

export const InboundJob = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9-]+$' }),
    kind: Type.Literal('inbound'),
    schedule: Type.String({ description: 'cron expression (node-cron), e.g. "0 2 * * *"' }),
    adapter: Type.String({ description: 'the read adapter for the files' }),
    source: Type.Union([
      FolderSource,
      Type.Composite(
        [Type.Omit(SftpTransportSchema, ['type']), Type.Object({ type: Type.Literal('sftp') })],
        { additionalProperties: false },
      ),
    ]),
    pattern: Type.Optional(Type.String({ description: 'regular expression the file name must match' })),
    doneMarker: Type.Optional(Type.Boolean({ description: 'take a file only when <stem>.done exists' })),
    stableSeconds: Type.Optional(
      Type.Integer({ minimum: 0, description: 'otherwise: size and mtime unchanged this long' }),
    ),
  },
  { additionalProperties: false },
);
export type InboundJob = Static<typeof InboundJob>;

export const OutboundJob = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9-]+$' }),
    kind: Type.Literal('outbound'),
    schedule: Type.String(),
  },
  { additionalProperties: false, description: 'a pass of the delivery outbox' },
);

/** How the hub treats the files of one read adapter, wherever they come from (CLI, API, jobs). */
export const SourceSettings = Type.Object(
  {
    strictColumns: Type.Optional(
      Type.Boolean({
        description:
          'fail a file with a column the mapping neither reads nor declares ignored (default: warn)',
      }),
    ),
    maxRejects: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^\\d+(\\.\\d+)?%$|^\\d+$' })], {
        description:
          'rejected rows allowed before the run fails and writes nothing: a number of rows, or "P%" of the rows read (rows skipped as not current not counted)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type SourceSettings = Static<typeof SourceSettings>;

export const HubConfigFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    sources: Type.Optional(Type.Record(Type.String(), SourceSettings, { description: 'by read adapter id' })),
    targets: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Object(
          {
            transport: Type.Optional(
              Type.Union([
                Type.Object(
                  { type: Type.Literal('folder'), dir: Type.String() },
                  { additionalProperties: false },
                ),
                SftpTransportSchema,
                Type.Object(
                  {
                    type: Type.Literal('http'),
                    url: Type.String({ pattern: '^https?://' }),
                    headers: Type.Optional(
                      Type.Record(Type.String(), Type.String(), {
                        description: 'e.g. authorization (a secret)',
                      }),
                    ),
                  },
                  { additionalProperties: false },
                ),
              ]),
            ),
            maxAttempts: Type.Optional(Type.Integer({ minimum: 1 })),
          },
          { additionalProperties: false },
        ),
        { description: 'by write adapter id' },
      ),
    ),
    jobs: Type.Optional(Type.Array(Type.Union([InboundJob, OutboundJob]))),
  },
  { $id: 'HubConfigFile', additionalProperties: false },
);
export type HubConfigFile = Static<typeof HubConfigFile>;
export type Job = NonNullable<HubConfigFile['jobs']>[number];

/** Reads HUB_CONFIG (paths relative to the file); an error names file:line:column. */
export function loadHubConfig(file: string | undefined): HubConfigFile {
  if (!file) return {};
  if (!existsSync(file)) throw new HubError('HUB_ERR_CONFIG', { message: `HUB_CONFIG ${file} がありません` });
  const { loaded, issues } = loadYaml<HubConfigFile>(file, HubConfigFile);
  if (!loaded) throw new HubError('HUB_ERR_CONFIG', { message: issues.map(formatIssue).join('\n') });
  const base = path.dirname(path.resolve(file));
  const value = loaded.value;
  (value.jobs ?? []).forEach((job, i) => {
    if (!cron.validate(job.schedule)) {
      const where = loaded.locate(['jobs', i, 'schedule']);
      throw new HubError('HUB_ERR_CONFIG', {
        message: `${file}:${where.line}:${where.column}: schedule "${job.schedule}" is not a cron expression`,
      });
    }
  });
  for (const [adapter, source] of Object.entries(value.sources ?? {})) {
    if (source.maxRejects !== undefined && !parseRejectLimit(source.maxRejects)) {
      const where = loaded.locate(['sources', adapter, 'maxRejects']);
      throw new HubError('HUB_ERR_CONFIG', {
        message: `${file}:${where.line}:${where.column}: maxRejects "${source.maxRejects}" is not N or P% (at most 100%)`,
      });
    }
  }
  for (const job of value.jobs ?? []) {
    if (job.kind === 'inbound' && job.source.type === 'folder')
      job.source.dir = path.resolve(base, job.source.dir);
    if (job.kind === 'inbound' && job.source.type === 'sftp')
      job.source.privateKeyFile = path.resolve(base, job.source.privateKeyFile);
  }
  for (const t of Object.values(value.targets ?? {})) {
    if (t.transport?.type === 'folder') t.transport.dir = path.resolve(base, t.transport.dir);
    if (t.transport?.type === 'sftp')
      t.transport.privateKeyFile = path.resolve(base, t.transport.privateKeyFile);
  }
  return value;
}
