import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { privileged, viewerOf } from '../../access/disclosure.ts';
import { handoffOf } from '../../delivery/targets.ts';
import { HubError } from '../../errors.ts';
import { evaluateProcedures } from '../../procedures/evaluate.ts';
import { LifeEvent } from '../../procedures/rules.ts';
import { SubmissionSummary } from '../../schemas/form.ts';
import { CloseVisitInput, VisitProgress, VisitStatus, VisitSummary } from '../../schemas/visit.ts';
import { visitContext } from '../../visits/context.ts';
import { visitProgress } from '../../visits/progress.ts';
import { visitState } from '../../visits/state.ts';
import { Limits, problems, visitAudit } from '../common.ts';

/** Visits over a counter day: find one to resume, close it, see what it accepted and what is due. */
export const visitDayRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { visits, submissions, audit, mappings, targets } = app.hub;

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
    async (request) => {
      const { limit = 50, offset = 0, ...filter } = request.query;
      const withRestricted = privileged(viewerOf(request));
      const { rows, total } = await visits.list(request.client!.id, {
        ...filter,
        withRestricted,
        limit,
        offset,
      });
      return {
        items: rows.map((row) => ({
          id: row.id,
          lifeEvent: row.life_event as LifeEvent,
          referenceDate: row.reference_date,
          subjects: row.record.subjects,
          submissions: Number(row.submissions ?? 0),
          ...visitState(row),
        })),
        total,
      };
    },
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
    async (request) => {
      const body = request.body;
      if (body.status === 'cancelled' && !body.reason)
        throw new HubError(
          'HUB_ERR_VALIDATION',
          { message: '来庁を取り消すには理由（reason）を入力してください' },
          [{ field: 'reason', message: '取消の理由を入力してください' }],
        );
      app.hub.disclosure.visit(viewerOf(request), await visits.get(request.params.id, request.client!.id));
      await visits.close(request.params.id, request.client!.id, body.status, body.by, body.reason);
      const row = await visits.get(request.params.id, request.client!.id);
      const list = await submissions.forVisit(row.id);
      await audit.record({
        clientId: request.client!.id,
        staffId: body.by,
        visitId: row.id,
        action: `visits.${body.status === 'completed' ? 'complete' : 'cancel'}`,
        subjects: [],
        fields: [],
        requestId: request.id,
      });
      return {
        id: row.id,
        lifeEvent: row.life_event as LifeEvent,
        referenceDate: row.reference_date,
        subjects: row.record.subjects,
        submissions: list.length,
        ...visitState(row),
      };
    },
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
    async (request) => {
      const row = app.hub.disclosure.visit(
        viewerOf(request),
        await visits.get(request.params.id, request.client!.id),
      );
      const items = (await submissions.forVisit(row.id)).map((s) => {
        const handoff = handoffOf(targets, mappings.forms.get(s.formId)!);
        const d = s.deliveries;
        const state =
          handoff.kind === 'paper'
            ? 'paper'
            : d.dead > 0
              ? 'dead'
              : d.failed > 0
                ? 'failed'
                : d.pending > 0
                  ? 'pending'
                  : 'delivered';
        return {
          id: s.id,
          formId: s.formId,
          createdAt: s.createdAt,
          ...(s.confirmedBy ? { confirmedBy: s.confirmedBy } : {}),
          handoff,
          deliveries: d,
          state: state as 'paper' | 'pending' | 'delivered' | 'failed' | 'dead',
        };
      });
      return { items, total: items.length };
    },
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
    async (request) => {
      const row = app.hub.disclosure.visit(
        viewerOf(request),
        await visits.get(request.params.id, request.client!.id),
      );
      const context = await visitContext(
        {
          db: app.hub.store.db,
          certificates: app.hub.certificates,
          enrolments: app.hub.enrolments,
          disclosure: app.hub.disclosure,
        },
        row,
        viewerOf(request),
      );
      const { procedures } = evaluateProcedures(mappings.procedureRules, context);
      await audit.record(
        visitAudit(request, row.id, context.persons, 'visits.progress', ['birthDate', 'relationship']),
      );
      return visitProgress(
        { id: row.id, status: row.status, extraForms: row.record.extraForms ?? [] },
        procedures,
        mappings.forms,
        await submissions.forVisit(row.id),
      );
    },
  );
};
