import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HubError } from '../errors.ts';

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'The process is up',
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'The database answers and every migration is applied',
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ready'), database: Type.String() }) },
      },
    },
    async () => {
      if (!(await app.hub.store.ready()))
        throw new HubError('HUB_ERR_NOT_READY', {
          message: 'データベースに接続できないか、移行が未適用です',
        });
      return { status: 'ready' as const, database: app.hub.store.kind };
    },
  );
  app.get(
    '/metrics',
    {
      config: { scope: 'metrics:read' },
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics',
        description:
          'Needs a key with the scope metrics:read (or admin); 401 without a key, 403 without the scope.',
      },
    },
    async (_request, reply) => {
      const registry = app.hub.metrics.registry;
      return reply.type(registry.contentType).send(await registry.metrics());
    },
  );
};
