import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { closeVisit, listVisits, visitProgress, visitSubmissions } from '../../counter/visits.ts';
import { LifeEvent } from '../../procedures/rules.ts';
import { SubmissionSummary } from '../../schemas/form.ts';
import { CloseVisitInput, VisitProgress, VisitStatus, VisitSummary } from '../../schemas/visit.ts';
import { actorOf, Limits, problems } from '../common.ts';

/** Visits over a counter day: find one to resume, close it, see what it accepted and what is due. */
export const visitDayRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/visits',
    {
      config: { scope: 'visits:write' },
      schema: {
        tags: ['visits'],
        operationId: 'listVisits',
        summary: 'This client’s visits, newest first: by counter day, staff, status and life event',
        querystring: Type.Object({
          date: Type.Optional(Type.String({ format: 'date', description: 'the counter day (Japan)' })),
          staffId: Type.Optional(Type.String({ description: 'who opened the visit' })),
          status: Type.Optional(Type.Ref(VisitStatus)),
          lifeEvent: Type.Optional(Type.Ref(LifeEvent)),
          limit: Type.Optional(Limits.limit),
          offset: Type.Optional(Limits.offset),
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref(VisitSummary)), total: Type.Integer() }),
          ...problems(400, 401, 403),
        },
      },
    },
    async (request) => listVisits(app.hub, actorOf(request), request.query),
  );

  app.post(
    '/visits/:id/close',
    {
      config: { scope: 'visits:write' },
      schema: {
        tags: ['visits'],
        operationId: 'closeVisit',
        summary: 'Complete a visit, or cancel it with a reason; a closed visit takes no more submissions',
        params: Type.Object({ id: Type.String() }),
        body: Type.Ref(CloseVisitInput),
        response: { 200: Type.Ref(VisitSummary), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => closeVisit(app.hub, actorOf(request), request.params.id, request.body),
  );

  app.get(
    '/visits/:id/submissions',
    {
      config: { scope: 'submissions:write' },
      schema: {
        tags: ['visits'],
        operationId: 'listVisitSubmissions',
        summary:
          'The forms accepted in a visit, oldest first, each with where it went and how its deliveries stand',
        params: Type.Object({ id: Type.String() }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref(SubmissionSummary)), total: Type.Integer() }),
          ...problems(401, 403, 404),
        },
      },
    },
    async (request) => visitSubmissions(app.hub, actorOf(request), request.params.id),
  );

  app.get(
    '/visits/:id/progress',
    {
      config: { scope: 'visits:write' },
      schema: {
        tags: ['visits'],
        operationId: 'getVisitProgress',
        summary: 'Per 手続ナビ procedure: accepted, still due, or done without a hub form; with totals',
        params: Type.Object({ id: Type.String() }),
        response: { 200: Type.Ref(VisitProgress), ...problems(401, 403, 404) },
      },
    },
    async (request) => visitProgress(app.hub, actorOf(request), request.params.id),
  );
};
