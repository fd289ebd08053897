import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { acceptSubmission, prefillForms, visitWriteCount } from '../../counter/forms.ts';
import { formPrintView } from '../../print/print-views.ts';
import {
  PrefilledForm as PrefilledFormSchema,
  SubmissionInput,
  Submission as SubmissionSchema,
  WriteCount,
} from '../../schemas/form.ts';
import { actorOf, problems } from '../common.ts';

/** Prefilled forms, their print views, the write count and accepting a form: faces over src/counter. */
export const formRoutes: FastifyPluginAsyncTypebox = async (app) => {
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
      const { forms } = await prefillForms(app.hub, actorOf(request), request.params.id, {
        formIds: [request.params.formId],
        audit: 'visits.form',
      });
      return forms[0]!;
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
      const { row, context, forms } = await prefillForms(app.hub, actorOf(request), request.params.id, {
        formIds: [request.params.formId],
        audit: 'visits.form.print',
      });
      const names = new Map(context.persons.map((p) => [p.id, p.name.full]));
      return reply.type('text/html; charset=utf-8').send(formPrintView(forms[0]!, names, row.reference_date));
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
      const formIds = request.query.forms
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      return visitWriteCount(app.hub, actorOf(request), request.params.id, {
        ...(formIds ? { formIds } : {}),
        ...(request.query.consolidated !== undefined ? { consolidated: request.query.consolidated } : {}),
      });
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
      const key = Array.isArray(header) ? header[0] : header;
      const { body } = await acceptSubmission(
        app.hub,
        actorOf(request),
        request.params.id,
        key,
        request.body,
      );
      return reply.code(202).send(body);
    },
  );
};
