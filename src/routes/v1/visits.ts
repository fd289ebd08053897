import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { viewerOf } from '../../access/disclosure.ts';
import { HubError } from '../../errors.ts';
import { evaluateProcedures } from '../../procedures/evaluate.ts';
import {
  ExtraForm,
  ExtraFormInput,
  Visit,
  VisitInput,
  type Visit as VisitShape,
} from '../../schemas/visit.ts';
import { visitContext } from '../../visits/context.ts';
import { visitState } from '../../visits/state.ts';
import { problems, visitAudit } from '../common.ts';

const ProcedureShape = Type.Object({
  id: Type.String(),
  formId: Type.Optional(Type.String()),
  title: Type.String(),
  reason: Type.String(),
  persons: Type.Array(Type.String()),
  due: Type.Optional(Type.Object({ date: Type.String({ format: 'date' }), note: Type.String() })),
  notes: Type.Optional(Type.Array(Type.String())),
});

export const visitRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { visits, audit, disclosure, persons } = app.hub;
  const deps = {
    db: app.hub.store.db,
    certificates: app.hub.certificates,
    enrolments: app.hub.enrolments,
    disclosure,
  };

  const load = async (request: Parameters<typeof viewerOf>[0], id: string) => {
    const viewer = viewerOf(request);
    const row = disclosure.visit(viewer, await visits.get(id, request.client!.id));
    return { row, context: await visitContext(deps, row, viewer) };
  };
  const shape = (
    row: Awaited<ReturnType<typeof visits.get>>,
    context: Awaited<ReturnType<typeof visitContext>>,
  ): VisitShape => ({
    id: row.id,
    lifeEvent: context.lifeEvent,
    referenceDate: row.reference_date,
    identity: row.record.identity,
    consent: row.record.consent,
    subjects: row.record.subjects,
    extraForms: row.record.extraForms ?? [],
    persons: context.persons.map((p) => ({
      id: p.id,
      order: p.order,
      source: p.source,
      name: p.name.full,
      birthDate: p.birthDate,
      relationship: p.relationship,
    })),
    ...visitState(row),
  });

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
    async (request, reply) => {
      const input = request.body;
      const subjects = input.subjects;
      const viewer = viewerOf(request);
      if ('transferCertificateId' in subjects) {
        const cert = await disclosure.certificate(
          viewer,
          await app.hub.certificates.get(subjects.transferCertificateId),
        );
        if (cert.status === 'registered')
          throw new HubError('HUB_ERR_CERTIFICATE_USED', { number: cert.number });
      } else if ('residentIds' in subjects) {
        const ids = [...new Set(subjects.residentIds)];
        const seen = await disclosure.persons(viewer, await persons.getMany(ids));
        if (seen.length !== ids.length) throw new HubError('HUB_ERR_NOT_FOUND', { what: '住民' });
      } else {
        await disclosure.household(
          viewer,
          subjects.householdId,
          await persons.household(subjects.householdId),
        );
      }
      const id = await visits.create(request.client!.id, input, viewer.restrictedReason);
      const { row, context } = await load(request, id);
      await audit.record(
        visitAudit(
          request,
          id,
          context.persons,
          'visits.open',
          ['name', 'birthDate', 'relationship'],
          input.identity.verifiedBy,
        ),
      );
      return reply.code(201).send(shape(row, context));
    },
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
    async (request) => {
      const { row, context } = await load(request, request.params.id);
      await audit.record(
        visitAudit(request, row.id, context.persons, 'visits.read', ['name', 'birthDate', 'relationship']),
      );
      return shape(row, context);
    },
  );

  app.get(
    '/visits/:id/procedures',
    {
      config: { scope: 'visits:write' },
      schema: {
        tags: ['visits'],
        summary: '手続ナビ: the procedures this visit needs, each with its reason',
        params: Type.Object({ id: Type.String() }),
        response: {
          200: Type.Object({
            items: Type.Array(ProcedureShape),
            total: Type.Integer(),
            review: Type.Array(
              Type.Object({ personId: Type.String(), rule: Type.String(), reason: Type.String() }),
              {
                description: 'rules that could not be decided (e.g. a 不詳 birth date): ask, do not guess',
              },
            ),
          }),
          ...problems(401, 403, 404),
        },
      },
    },
    async (request) => {
      const { row, context } = await load(request, request.params.id);
      const { procedures, review } = evaluateProcedures(app.hub.mappings.procedureRules, context);
      await audit.record(
        visitAudit(request, row.id, context.persons, 'visits.procedures', [
          'birthDate',
          'relationship',
          'insurance',
          'enrolments',
        ]),
      );
      return { items: procedures, total: procedures.length, review };
    },
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
    async (request, reply) => {
      const { formId, reason, addedBy } = request.body;
      if (!app.hub.mappings.forms.has(formId)) throw new HubError('HUB_ERR_FORM_UNKNOWN', { formId });
      const visit = disclosure.visit(
        viewerOf(request),
        await visits.get(request.params.id, request.client!.id),
      );
      if (visit.status !== 'open')
        throw new HubError('HUB_ERR_VISIT_CLOSED', { visitId: visit.id, status: visit.status });
      const extra = { formId, reason, addedBy, at: new Date().toISOString() };
      const list = await visits.addExtraForm(request.params.id, request.client!.id, extra);
      await audit.record({
        clientId: request.client!.id,
        staffId: addedBy,
        visitId: request.params.id,
        action: 'visits.extra-form',
        subjects: [],
        fields: [formId],
        requestId: request.id,
      });
      return reply.code(201).send(list);
    },
  );
};
