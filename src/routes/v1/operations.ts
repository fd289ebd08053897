import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { viewerOf } from '../../access/disclosure.ts';
import { parseAuditAnchor, verifyAuditChain } from '../../audit/verify-chain.ts';
import { AuditAnchorText, AuditFilters, AuditRecord, AuditVerification } from '../../schemas/audit.ts';
import { Limits, problems } from '../common.ts';

const AdapterInfo = Type.Object({
  id: Type.String(),
  version: Type.String(),
  title: Type.String(),
  direction: Type.Union([Type.Literal('read'), Type.Literal('write')]),
  formats: Type.Array(Type.String()),
  encodings: Type.Array(Type.String()),
  entities: Type.Array(Type.String()),
  configSchema: Type.Unknown(),
  mappings: Type.Array(Type.String({ description: 'mapping files used for this adapter' })),
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
        summary: 'The audit trail, newest first; every given filter must match',
        querystring: Type.Composite([AuditFilters, Type.Object(Limits)]),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref(AuditRecord)), total: Type.Integer() }),
          ...problems(400, 401, 403),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await app.hub.audit.search(q);
      // `person` and its older name `subject`: a restricted person searched by either finds nothing
      const persons = [...new Set([q.person, q.subject].filter((p) => p !== undefined))];
      let items = await app.hub.disclosure.auditItems(viewerOf(request), page.items, persons[0]);
      if (persons[1]) items = await app.hub.disclosure.auditItems(viewerOf(request), items, persons[1]);
      return { items, total: items.length < page.items.length ? items.length : page.total };
    },
  );

  app.get(
    '/audit/verify',
    {
      config: { scope: 'audit:read' },
      schema: {
        tags: ['operations'],
        summary: 'Checks the audit hash chain and names the first row that is not intact',
        querystring: Type.Object({ anchor: Type.Optional(AuditAnchorText) }),
        response: { 200: Type.Ref(AuditVerification), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const anchor = request.query.anchor ? parseAuditAnchor(request.query.anchor) : undefined;
      return verifyAuditChain(app.hub.audit, anchor ? { anchor } : {});
    },
  );
};
