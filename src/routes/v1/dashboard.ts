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
        operationId: 'getDashboard',
        summary:
          'At a glance: the newest import per source, the outbox per target, jobs with last and next run, the audit trail',
        querystring: Type.Object({
          verifyAudit: Type.Optional(
            Type.Boolean({ description: 'also walk the audit hash chain (reads every audit row)' }),
          ),
        }),
        response: { 200: Type.Ref(Dashboard), ...problems(400, 401, 403) },
      },
    },
    async (request) => dashboardSummary(app.hub, { verifyAudit: request.query.verifyAudit === true }),
  );
};
