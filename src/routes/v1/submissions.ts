import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Selectable } from 'kysely';
import { viewerOf } from '../../access/disclosure.ts';
import { handoffOf } from '../../delivery/targets.ts';
import { HubError } from '../../errors.ts';
import { checkSignaturePng, MAX_SIGNATURE_BYTES } from '../../prefill/signature-image.ts';
import { Submission } from '../../schemas/form.ts';
import type { Database } from '../../store/types.ts';
import { problems, visitAudit } from '../common.ts';

function deliveryView(d: Selectable<Database['deliveries']>) {
  return {
    id: d.id,
    target: d.target,
    status: d.status,
    attempts: d.attempts,
    ...(d.last_error ? { lastError: d.last_error } : {}),
    ...(d.status === 'failed' ? { nextAttemptAt: new Date(d.next_attempt_at).toISOString() } : {}),
    ...(d.delivered_at ? { deliveredAt: new Date(d.delivered_at).toISOString() } : {}),
    ...(d.artifact ? { artifact: d.artifact } : {}),
  };
}

export const submissionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.hub.store.db;

  /**
   * The submission, only for the client whose visit it belongs to and only when the disclosure
   * policy lets this request see its persons; the read is audited as `action` when given.
   */
  async function load(request: FastifyRequest, id: string, action?: string) {
    const clientId = request.client!.id;
    const s = await db
      .selectFrom('form_submissions as s')
      .innerJoin('visits as v', 'v.id', 's.visit_id')
      .selectAll('s')
      .where('s.id', '=', id)
      .where('v.client_id', '=', clientId)
      .executeTakeFirst();
    if (!s) throw new HubError('HUB_ERR_NOT_FOUND', { what: '受付' });
    const persons = (s.record.persons ?? []).map((p) => ({ id: p.id }));
    const viewer = viewerOf(request);
    app.hub.disclosure.visit(viewer, await app.hub.visits.get(s.visit_id, clientId));
    await app.hub.disclosure.submission(
      viewer,
      persons.map((p) => p.id),
      s,
    );
    if (action) {
      await app.hub.audit.record(
        visitAudit(request, s.visit_id, persons, action, [
          `${s.form_id}:${Object.keys(s.record.values).length}`,
        ]),
      );
    }
    const image = await app.hub.submissions.signature(id);
    const deliveries = await db
      .selectFrom('deliveries')
      .selectAll()
      .where('submission_id', '=', id)
      .orderBy('target')
      .execute();
    return {
      id: s.id,
      visitId: s.visit_id,
      formId: s.form_id,
      values: s.record.values,
      ...(s.record.confirmedBy ? { confirmedBy: s.record.confirmedBy } : {}),
      signatures: s.record.signatures ?? [],
      createdAt: new Date(s.created_at).toISOString(),
      handoff: handoffOf(app.hub.targets, app.hub.mappings.forms.get(s.form_id)!),
      ...(image
        ? {
            signatureImage: {
              bytes: image.png.length,
              width: image.width,
              height: image.height,
              sha256: image.sha256,
              createdAt: new Date(image.created_at).toISOString(),
            },
          }
        : {}),
      deliveries: deliveries.map(deliveryView),
    };
  }

  app.get(
    '/submissions/:id',
    {
      config: { scope: 'submissions:write' },
      schema: {
        tags: ['visits'],
        summary:
          'An accepted submission and each delivery: pending, delivered (when, artifact), failed (attempts, last error), dead',
        params: Type.Object({ id: Type.String() }),
        response: { 200: Type.Ref(Submission), ...problems(401, 403, 404) },
      },
    },
    async (request) => load(request, request.params.id, 'submissions.read'),
  );

  app.post(
    '/submissions/:id/redeliver',
    {
      config: { scope: 'submissions:write' },
      schema: {
        tags: ['visits'],
        summary:
          'Replay the failed and dead deliveries of a submission (rows carry the submission id: importers skip repeats)',
        params: Type.Object({ id: Type.String() }),
        response: { 202: Type.Ref(Submission), ...problems(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await load(request, request.params.id, 'submissions.redeliver');
      await db
        .updateTable('deliveries')
        .set({ status: 'pending', attempts: 0, next_attempt_at: new Date(), claimed_until: null })
        .where('submission_id', '=', request.params.id)
        .where('status', 'in', ['failed', 'dead'])
        .execute();
      return reply.code(202).send(await load(request, request.params.id));
    },
  );

  app.addContentTypeParser(
    'image/png',
    { parseAs: 'buffer', bodyLimit: MAX_SIGNATURE_BYTES },
    (_r, body, done) => done(null, body),
  );

  app.put(
    '/submissions/:id/signature',
    {
      config: { scope: 'submissions:write' },
      schema: {
        tags: ['visits'],
        operationId: 'putSubmissionSignature',
        summary: `Keep the resident's signature image (PNG, at most ${MAX_SIGNATURE_BYTES / 1024} KiB) with a submission`,
        params: Type.Object({ id: Type.String() }),
        consumes: ['image/png'],
        body: Type.Unknown({ description: 'the PNG bytes' }),
        response: { 200: Type.Ref(Submission), ...problems(400, 401, 403, 404, 413, 415, 422) },
      },
    },
    async (request) => {
      await load(request, request.params.id, 'submissions.signature');
      const png = request.body as Buffer;
      const size = checkSignaturePng(png);
      await app.hub.submissions.saveSignature(request.params.id, png, size);
      return load(request, request.params.id, 'submissions.read');
    },
  );

  app.get(
    '/submissions/:id/signature',
    {
      config: { scope: 'submissions:write' },
      schema: {
        tags: ['visits'],
        operationId: 'getSubmissionSignature',
        summary: 'The signature image kept with a submission',
        params: Type.Object({ id: Type.String() }),
        produces: ['image/png'],
        response: { 200: Type.Unknown({ description: 'image/png' }), ...problems(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await load(request, request.params.id, 'submissions.signature.read');
      const image = await app.hub.submissions.signature(request.params.id);
      if (!image) throw new HubError('HUB_ERR_NOT_FOUND', { what: '署名画像' });
      return reply.type('image/png').send(Buffer.from(image.png));
    },
  );
};
