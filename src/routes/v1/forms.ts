import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { viewerOf } from '../../access/disclosure.ts';
import { withIdempotency } from '../../delivery/idempotency.ts';
import { formWritesCp932, handoffOf, targetsForForm } from '../../delivery/targets.ts';
import { HubError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import {
  type AcceptedForm,
  type PrefilledForm,
  prefillForm,
  valueKey,
  writeCount,
} from '../../prefill/prefill.ts';
import { storedValue, validateValues } from '../../prefill/validate-values.ts';
import { formPrintView } from '../../print/print-views.ts';
import { evaluateProcedures } from '../../procedures/evaluate.ts';
import {
  type FieldValue,
  PrefilledForm as PrefilledFormSchema,
  type Submission,
  SubmissionInput,
  Submission as SubmissionSchema,
  WriteCount,
} from '../../schemas/form.ts';
import type { SubmissionRecord } from '../../store/types.ts';
import { visitContext } from '../../visits/context.ts';
import { problems, visitAudit } from '../common.ts';

export const formRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { visits, audit, mappings } = app.hub;
  const db = app.hub.store.db;
  const deps = {
    db,
    certificates: app.hub.certificates,
    enrolments: app.hub.enrolments,
    disclosure: app.hub.disclosure,
  };

  /** Prefills the given forms (or every form the visit's procedures need) in one pass. */
  async function prefill(request: FastifyRequest, visitId: string, formIds?: string[]) {
    const viewer = viewerOf(request);
    const row = app.hub.disclosure.visit(viewer, await visits.get(visitId, request.client!.id));
    const context = await visitContext(deps, row, viewer);
    const { procedures } = evaluateProcedures(mappings.procedureRules, context);
    const submitted = await db
      .selectFrom('form_submissions')
      .selectAll()
      .where('visit_id', '=', visitId)
      .orderBy('created_at', 'desc')
      .execute();
    const accepted: AcceptedForm[] = submitted.map((s) => ({
      id: s.id,
      formId: s.form_id,
      values: s.record.values,
    }));
    const ids =
      formIds ??
      [...mappings.forms.values()]
        .filter((f) => procedures.some((p) => (f.procedures ?? [f.id]).includes(p.id)))
        .map((f) => f.id);
    const forms: PrefilledForm[] = ids.map((id) => {
      const form = mappings.forms.get(id);
      if (!form) throw new HubError('HUB_ERR_FORM_UNKNOWN', { formId: id });
      const delivery = {
        handoff: handoffOf(app.hub.targets, form),
        cp932: formWritesCp932(app.hub.targets, id),
      };
      return prefillForm(form, { visitId, context, procedures, accepted, delivery });
    });
    return { row, context, procedures, forms };
  }

  app.get(
    '/visits/:id/forms/:formId',
    {
      config: { scope: 'visits:write' },
      schema: {
        tags: ['visits'],
        summary: 'A prefilled form: every field with its value, state and where the value came from',
        params: Type.Object({ id: Type.String(), formId: Type.String() }),
        response: { 200: Type.Ref(PrefilledFormSchema), ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const { row, context, forms } = await prefill(request, request.params.id, [request.params.formId]);
      const form = forms[0]!;
      await audit.record(
        visitAudit(request, row.id, context.persons, 'visits.form', [
          ...new Set(
            form.fields.filter((f) => f.state === 'prefilled').map((f) => `${form.formId}.${f.key}`),
          ),
        ]),
      );
      return form;
    },
  );

  app.get(
    '/visits/:id/forms/:formId/print',
    {
      config: { scope: 'visits:write' },
      schema: {
        tags: ['visits'],
        operationId: 'printForm',
        summary:
          'A prefilled form as an A4 HTML page for the resident to check and sign (PDF: the browser’s print)',
        params: Type.Object({ id: Type.String(), formId: Type.String() }),
        produces: ['text/html'],
        response: {
          200: Type.String({ description: 'text/html; charset=utf-8' }),
          ...problems(401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const { row, context, forms } = await prefill(request, request.params.id, [request.params.formId]);
      const form = forms[0]!;
      await audit.record(
        visitAudit(request, row.id, context.persons, 'visits.form.print', [
          ...new Set(
            form.fields.filter((f) => f.state === 'prefilled').map((f) => `${form.formId}.${f.key}`),
          ),
        ]),
      );
      const names = new Map(context.persons.map((p) => [p.id, p.name.full]));
      return reply.type('text/html; charset=utf-8').send(formPrintView(form, names, row.reference_date));
    },
  );

  app.get(
    '/visits/:id/write-count',
    {
      config: { scope: 'visits:write' },
      schema: {
        tags: ['visits'],
        summary:
          'What is left to write by hand, per form and in total, and the baseline with nothing prefilled',
        params: Type.Object({ id: Type.String() }),
        querystring: Type.Object({
          forms: Type.Optional(
            Type.String({ description: 'comma-separated form ids; default: the forms the visit needs' }),
          ),
          consolidated: Type.Optional(
            Type.Boolean({
              description:
                'count with the consolidated application (one signature for every form); default: whether the visit signed one',
            }),
          ),
        }),
        response: {
          200: Type.Ref(WriteCount),
          ...problems(401, 403, 404),
        },
      },
    },
    async (request) => {
      const ids = request.query.forms
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const { row, forms } = await prefill(request, request.params.id, ids);
      return writeCount(forms, { consolidated: request.query.consolidated ?? !!row.record.consolidated });
    },
  );

  app.post(
    '/visits/:id/submissions',
    {
      config: { scope: 'submissions:write' },
      schema: {
        tags: ['visits'],
        summary: 'Accept a form: the confirmed values (a field not given keeps its prefilled value)',
        description:
          'Per-person values are keyed `<field key>@<person id>`. Later forms of the same visit take these values.',
        params: Type.Object({ id: Type.String() }),
        headers: Type.Object({
          'idempotency-key': Type.Optional(
            Type.String({ description: 'required: the same key and body answer the first response again' }),
          ),
        }),
        body: Type.Ref(SubmissionInput),
        response: { 202: Type.Ref(SubmissionSchema), ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const header = request.headers['idempotency-key'];
      const key = (Array.isArray(header) ? header[0] : header)?.trim();
      if (!key) throw new HubError('HUB_ERR_IDEMPOTENCY_REQUIRED');
      const { formId, values = {}, confirmedBy, signatures = [] } = request.body;
      const { row, context, procedures, forms } = await prefill(request, request.params.id, [formId]);
      if (row.status !== 'open')
        throw new HubError('HUB_ERR_VISIT_CLOSED', { visitId: row.id, status: row.status });
      const form = forms[0]!;
      const definition = mappings.forms.get(formId)!;
      const needed =
        procedures.some((p) => (definition.procedures ?? [definition.id]).includes(p.id)) ||
        (row.record.extraForms ?? []).some((x) => x.formId === formId);
      if (!needed) throw new HubError('HUB_ERR_FORM_NOT_NEEDED', { formId, visitId: row.id });
      const merged: Record<string, FieldValue> = {};
      for (const f of form.fields) {
        if (f.kind === 'signature') continue;
        const k = valueKey(f.key, f.person);
        merged[k] = storedValue(k in values ? values[k] : f.value, f.type);
      }
      const gaiji = app.hub.config.municipalityCode
        ? mappings.gaiji(app.hub.config.municipalityCode)?.reverse
        : undefined;
      const wrong = validateValues(form, values, merged, signatures, gaiji);
      if (wrong.length > 0) throw new HubError('HUB_ERR_FORM_VALUES', { formId, count: wrong.length }, wrong);
      const myNumbers = new Map(
        context.persons.map((p) => [p.id, (p.record as { myNumber?: string }).myNumber]),
      );
      const targets = targetsForForm(app.hub.targets, formId);
      const response = await withIdempotency(
        db,
        request.client!.id,
        key,
        { visitId: row.id, body: request.body },
        async (trx) => {
          // The submission and one outbox row per target are durable together before the answer.
          const id = newId('sub');
          const createdAt = new Date();
          const record: SubmissionRecord = {
            values: merged,
            confirmedBy,
            signatures,
            persons: context.persons.map((p) => {
              const myNumber = myNumbers.get(p.id);
              return { id: p.id, order: p.order, ...(myNumber ? { myNumber } : {}) };
            }),
            lifeEvent: context.lifeEvent,
            referenceDate: context.referenceDate,
            ...(context.certificate ? { certificateNumber: context.certificate.number } : {}),
          };
          await trx
            .insertInto('form_submissions')
            .values({
              id,
              visit_id: row.id,
              form_id: formId,
              record: JSON.stringify(record),
              created_at: createdAt,
            })
            .execute();
          const deliveries = targets.map((t) => ({
            id: newId('dlv'),
            submission_id: id,
            target: t.id,
            status: 'pending' as const,
            attempts: 0,
            next_attempt_at: createdAt,
            created_at: createdAt,
          }));
          if (deliveries.length > 0) await trx.insertInto('deliveries').values(deliveries).execute();
          return {
            status: 202,
            body: {
              id,
              visitId: row.id,
              formId,
              values: merged,
              confirmedBy,
              signatures,
              createdAt: createdAt.toISOString(),
              handoff: form.handoff,
              deliveries: deliveries.map((d) => ({
                id: d.id,
                target: d.target,
                status: d.status,
                attempts: 0,
              })),
            },
          };
        },
      );
      await audit.record(
        visitAudit(
          request,
          row.id,
          context.persons,
          'submissions.accept',
          [`${formId}:${Object.keys(merged).length}`],
          confirmedBy,
        ),
      );
      return reply.code(202).send(response.body as Submission);
    },
  );
};
