import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { viewerOf } from '../../access/disclosure.ts';
import { handoffOf } from '../../delivery/targets.ts';
import { HubError } from '../../errors.ts';
import { consolidatedApplication } from '../../prefill/consolidated.ts';
import { consolidatedPrintView } from '../../print/print-views.ts';
import { ConsolidatedApplication, ConsolidatedSignInput } from '../../schemas/consolidated.ts';
import { visitContext } from '../../visits/context.ts';
import { problems, visitAudit } from '../common.ts';

/** 「まとめて申請書」: every accepted form of a visit in one document, signed once. */
export const consolidatedRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { visits, submissions, audit, mappings, targets } = app.hub;
  const deps = {
    db: app.hub.store.db,
    certificates: app.hub.certificates,
    enrolments: app.hub.enrolments,
    disclosure: app.hub.disclosure,
  };

  async function build(request: FastifyRequest, visitId: string, action: string) {
    const viewer = viewerOf(request);
    const row = app.hub.disclosure.visit(viewer, await visits.get(visitId, request.client!.id));
    const context = await visitContext(deps, row, viewer);
    const application = consolidatedApplication({
      visitId: row.id,
      referenceDate: row.reference_date,
      persons: context.persons,
      submissions: await submissions.valuesForVisit(row.id),
      forms: mappings.forms,
      handoff: (form) => handoffOf(targets, form),
      ...(row.record.consolidated ? { signature: row.record.consolidated } : {}),
    });
    await audit.record(
      visitAudit(
        request,
        row.id,
        context.persons,
        action,
        application.sections.map((s) => `${s.formId}:${s.fields.length}`),
      ),
    );
    return { row, application };
  }

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
    async (request) => (await build(request, request.params.id, 'visits.consolidated')).application,
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
    async (request, reply) => {
      const row = app.hub.disclosure.visit(
        viewerOf(request),
        await visits.get(request.params.id, request.client!.id),
      );
      if (row.status !== 'open')
        throw new HubError('HUB_ERR_VISIT_CLOSED', { visitId: row.id, status: row.status });
      const accepted = await submissions.valuesForVisit(row.id);
      if (accepted.length === 0)
        throw new HubError('HUB_ERR_VALIDATION', {
          message: 'まとめて申請書に載せる申請書がまだありません（先に各申請書を受け付けてください）',
        });
      await visits.signConsolidated(row.id, request.client!.id, {
        method: request.body.method,
        confirmedBy: request.body.confirmedBy,
        at: new Date().toISOString(),
        forms: [...new Set(accepted.map((s) => s.formId))],
      });
      const { application } = await build(request, row.id, 'visits.consolidated.sign');
      return reply.code(201).send(application);
    },
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
      const { application } = await build(request, request.params.id, 'visits.consolidated.print');
      return reply.type('text/html; charset=utf-8').send(consolidatedPrintView(application));
    },
  );
};
