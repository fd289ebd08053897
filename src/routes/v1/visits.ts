import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { addExtraForm, openVisit, readVisit, visitProcedures } from '../../counter/visits.ts';
import { ExtraForm, ExtraFormInput, Visit, VisitInput, VisitProcedures } from '../../schemas/visit.ts';
import { actorOf, problems } from '../common.ts';

/** A visit: open it, read it, its 手続ナビ, forms staff add: faces over src/counter. */
export const visitRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/visits',
    {
      config: { scope: 'visits:write' },
      schema: {
        tags: ['visits'],
        summary: 'Open a counter visit: life event, identity check, consent and subjects',
        body: Type.Ref(VisitInput),
        response: { 201: Type.Ref(Visit), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await openVisit(app.hub, actorOf(request), request.body)),
  );

  app.get(
    '/visits/:id',
    {
      config: { scope: 'visits:write' },
      schema: {
        tags: ['visits'],
        summary: 'A visit with its persons',
        params: Type.Object({ id: Type.String() }),
        response: { 200: Type.Ref(Visit), ...problems(401, 403, 404) },
      },
    },
    async (request) => readVisit(app.hub, actorOf(request), request.params.id),
  );

  app.get(
    '/visits/:id/procedures',
    {
      config: { scope: 'visits:write' },
      schema: {
        tags: ['visits'],
        summary: '手続ナビ: the procedures this visit needs, each with its reason',
        params: Type.Object({ id: Type.String() }),
        response: { 200: Type.Ref(VisitProcedures), ...problems(401, 403, 404) },
      },
    },
    async (request) => visitProcedures(app.hub, actorOf(request), request.params.id),
  );

  app.post(
    '/visits/:id/extra-forms',
    {
      config: { scope: 'visits:write' },
      schema: {
        tags: ['visits'],
        summary:
          'Add a form the 手続ナビ did not list (e.g. 後期 for a 転居), with the reason; it may then be submitted',
        params: Type.Object({ id: Type.String() }),
        body: Type.Ref(ExtraFormInput),
        response: { 201: Type.Array(Type.Ref(ExtraForm)), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await addExtraForm(app.hub, actorOf(request), request.params.id, request.body)),
  );
};
