import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { consolidatedApplication, signConsolidated } from '../../counter/consolidated.ts';
import { consolidatedPrintView } from '../../print/print-views.ts';
import { ConsolidatedApplication, ConsolidatedSignInput } from '../../schemas/consolidated.ts';
import { actorOf, problems } from '../common.ts';

/** 「まとめて申請書」: every accepted form of a visit in one document, signed once. */
export const consolidatedRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/visits/:id/consolidated',
    {
      config: { scope: 'visits:write' },
      schema: {
        tags: ['visits'],
        operationId: 'getConsolidatedApplication',
        summary:
          'The consolidated application (まとめて申請書): every accepted form of the visit, one signature',
        params: Type.Object({ id: Type.String() }),
        response: { 200: Type.Ref(ConsolidatedApplication), ...problems(401, 403, 404) },
      },
    },
    async (request) => consolidatedApplication(app.hub, actorOf(request), request.params.id),
  );

  app.post(
    '/visits/:id/consolidated',
    {
      config: { scope: 'submissions:write' },
      schema: {
        tags: ['visits'],
        operationId: 'signConsolidatedApplication',
        summary:
          'Record the one signature of the consolidated application over the forms accepted so far; each still goes to its own system',
        params: Type.Object({ id: Type.String() }),
        body: Type.Ref(ConsolidatedSignInput),
        response: { 201: Type.Ref(ConsolidatedApplication), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await signConsolidated(app.hub, actorOf(request), request.params.id, request.body)),
  );

  app.get(
    '/visits/:id/consolidated/print',
    {
      config: { scope: 'visits:write' },
      schema: {
        tags: ['visits'],
        operationId: 'printConsolidatedApplication',
        summary: 'The consolidated application as A4 HTML pages to check and sign (PDF: the browser’s print)',
        params: Type.Object({ id: Type.String() }),
        produces: ['text/html'],
        response: {
          200: Type.String({ description: 'text/html; charset=utf-8' }),
          ...problems(401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const application = await consolidatedApplication(
        app.hub,
        actorOf(request),
        request.params.id,
        'visits.consolidated.print',
      );
      return reply.type('text/html; charset=utf-8').send(consolidatedPrintView(application));
    },
  );
};
