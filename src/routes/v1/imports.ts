import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { viewerOf } from '../../access/disclosure.ts';
import { HubError } from '../../errors.ts';
import { spoolSource } from '../../ingest/sources.ts';
import { encodingFromName } from '../../parsers/decode.ts';
import { ImportRun, Reject } from '../../schemas/import-run.ts';
import { auditBase, Limits, personalHeaders, problems } from '../common.ts';

const rawTypes = ['application/octet-stream', 'text/csv', 'text/plain', 'application/xml', 'text/xml'];

export const importRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // The body stays a stream: it is spooled to staging while hashed, never held in memory.
  app.addContentTypeParser(rawTypes, (_request, payload, done) => done(null, payload));

  app.post(
    '/imports',
    {
      config: { scope: 'imports:write' },
      schema: {
        tags: ['imports'],
        summary: 'Import one file (the raw bytes as the body)',
        description:
          'The answer is 201 with the import run, also when the run failed (unreadable file, missing column); rejected rows are listed at /v1/imports/{id}/rejects.',
        consumes: rawTypes,
        querystring: Type.Object({
          adapter: Type.String({ description: 'a read adapter id, see GET /v1/adapters' }),
          encoding: Type.Optional(
            Type.String({ description: 'utf-8 | cp932 | euc-jp; detected when absent' }),
          ),
          mode: Type.Optional(Type.Union([Type.Literal('full'), Type.Literal('delta')])),
        }),
        headers: Type.Object({
          'x-file-name': Type.Optional(Type.String({ description: 'the file name, percent-encoded UTF-8' })),
        }),
        response: { 201: Type.Ref(ImportRun), ...problems(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      const { adapter, encoding: encodingName, mode } = request.query;
      app.hub.adapters.reader(adapter);
      const encoding = encodingName ? encodingFromName(encodingName) : undefined;
      if (encodingName && !encoding)
        throw new HubError('HUB_ERR_ENCODING_UNSUPPORTED', { encoding: encodingName });
      const body = request.body as Readable | undefined;
      if (!body || typeof (body as Readable).pipe !== 'function') {
        throw new HubError('HUB_ERR_UNSUPPORTED_MEDIA_TYPE', {
          message: 'ファイルの内容を application/octet-stream で送ってください',
        });
      }
      const rawName = request.headers['x-file-name'];
      const fileName = rawName ? safeDecode(rawName) : `upload-${new Date().toISOString()}`;
      const source = await spoolSource(
        body,
        app.hub.config.stagingDir,
        fileName,
        app.hub.config.maxUploadBytes,
      );
      try {
        const run = await app.hub.importFile(source, {
          adapter,
          clientId: request.client!.id,
          ...(encoding ? { encoding } : {}),
          ...(mode ? { mode } : {}),
        });
        return reply.code(201).send(run);
      } finally {
        await source.remove();
      }
    },
  );

  app.get(
    '/imports',
    {
      config: { scope: 'imports:write' },
      schema: {
        tags: ['imports'],
        summary: 'Import runs, newest first',
        querystring: Type.Object(Limits),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref(ImportRun)), total: Type.Integer() }),
          ...problems(401, 403),
        },
      },
    },
    async (request) => app.hub.imports.list(request.query.limit, request.query.offset),
  );

  app.get(
    '/imports/:id',
    {
      config: { scope: 'imports:write' },
      schema: {
        tags: ['imports'],
        summary: 'One import run with its counts',
        params: Type.Object({ id: Type.String() }),
        response: { 200: Type.Ref(ImportRun), ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const run = await app.hub.imports.get(request.params.id);
      if (!run) throw new HubError('HUB_ERR_NOT_FOUND', { what: '取込' });
      return run;
    },
  );

  app.get(
    '/imports/:id/rejects',
    {
      config: { scope: 'imports:write', personal: true },
      schema: {
        tags: ['imports'],
        summary: 'Rejected rows of a run: line, column, field, code, message and the raw row (base64)',
        description:
          'Raw rows carry personal data: X-Visit-Id or X-Purpose is required and the read is audited.',
        params: Type.Object({ id: Type.String() }),
        querystring: Type.Object(Limits),
        headers: personalHeaders,
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref(Reject)), total: Type.Integer() }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const run = await app.hub.imports.get(request.params.id);
      if (!run) throw new HubError('HUB_ERR_NOT_FOUND', { what: '取込' });
      const stored = await app.hub.imports.rejects(run.id, request.query.limit, request.query.offset);
      const page = {
        total: stored.total,
        items: await app.hub.disclosure.rejects(viewerOf(request), stored.items),
      };
      await app.hub.audit.record({
        ...auditBase(request),
        action: 'imports.rejects.read',
        subjects: [],
        fields: [`import:${run.id}`, `lines:${page.items.map((r) => r.line).join(',')}`],
      });
      return page;
    },
  );
};

function safeDecode(value: string | string[]): string {
  const s = Array.isArray(value) ? value[0]! : value;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
