import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { viewerOf } from '../../access/disclosure.ts';
import { Limits, problems } from '../common.ts';

const AdapterInfo = Type.Object({
  id: Type.String(),
  version: Type.String(),
  title: Type.String(),
  direction: Type.Union([Type.Literal('read'), Type.Literal('write')]),
  formats: Type.Array(Type.String()),
  encodings: Type.Array(Type.String()),
  entities: Type.Array(Type.String()),
  configSchema: Type.Record(Type.String(), Type.Unknown(), { description: 'a JSON Schema' }),
  mappings: Type.Array(Type.String({ description: 'mapping files used for this adapter' })),
});

const AuditRecord = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  clientId: Type.String(),
  staffId: Type.Optional(Type.String()),
  visitId: Type.Optional(Type.String()),
  purpose: Type.Optional(Type.String()),
  action: Type.String(),
  subjects: Type.Array(Type.String()),
  fields: Type.Array(Type.String()),
  restrictedReason: Type.Optional(Type.String()),
  requestId: Type.Optional(Type.String()),
});

export const operationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/adapters',
    {
      schema: {
        tags: ['operations'],
        summary: 'The adapters this hub has, with their manifests',
        response: {
          200: Type.Object({ items: Type.Array(AdapterInfo), total: Type.Integer() }),
          ...problems(401),
        },
      },
    },
    async () => {
      const mappings = app.hub.mappings.list();
      const items = app.hub.adapters.list().map((a) => ({
        ...a.manifest,
        mappings: mappings.filter((m) => m.adapter === a.manifest.id).map((m) => `${m.adapter}/${m.entity}`),
      }));
      return { items, total: items.length };
    },
  );

  app.get(
    '/audit',
    {
      config: { scope: 'audit:read' },
      schema: {
        tags: ['operations'],
        summary: 'The audit trail, newest first',
        querystring: Type.Object({
          subject: Type.Optional(Type.String({ description: 'a person id' })),
          actor: Type.Optional(Type.String({ description: 'a client id or staff id' })),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          ...Limits,
        }),
        response: {
          200: Type.Object({ items: Type.Array(AuditRecord), total: Type.Integer() }),
          ...problems(400, 401, 403),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await app.hub.audit.search({
        ...(q.subject ? { subject: q.subject } : {}),
        ...(q.actor ? { actor: q.actor } : {}),
        ...(q.from ? { from: q.from } : {}),
        ...(q.to ? { to: q.to } : {}),
        limit: q.limit,
        offset: q.offset,
      });
      const items = await app.hub.disclosure.auditItems(viewerOf(request), page.items, q.subject);
      return { items, total: items.length < page.items.length ? items.length : page.total };
    },
  );
};
