import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { dashboardSummary } from '../../operations/dashboard.ts';
import { Dashboard } from '../../schemas/operations.ts';
import { problems } from '../common.ts';

export const dashboardRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/dashboard',
    {
      config: { scope: 'console' },
      schema: {
        tags: ['operations'],
        summary:
          'At a glance: the newest import per source, the outbox per target, jobs with last and next run, the audit trail',
        response: { 200: Type.Ref(Dashboard), ...problems(401, 403) },
      },
    },
    async () => dashboardSummary(app.hub),
  );
};
