import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { attachSignature, readSubmission, redeliver, signatureImage } from '../../counter/submissions.ts';
import { MAX_SIGNATURE_BYTES } from '../../prefill/signature-image.ts';
import { Submission } from '../../schemas/form.ts';
import { actorOf, problems } from '../common.ts';

/** A submission, its redelivery and its signature image: faces over src/counter. */
export const submissionRoutes: FastifyPluginAsyncTypebox = async (app) => {
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
    async (request) => readSubmission(app.hub, actorOf(request), request.params.id, 'submissions.read'),
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
    async (request, reply) =>
      reply.code(202).send(await redeliver(app.hub, actorOf(request), request.params.id)),
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
    async (request) => attachSignature(app.hub, actorOf(request), request.params.id, request.body as Buffer),
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
    async (request, reply) =>
      reply.type('image/png').send(await signatureImage(app.hub, actorOf(request), request.params.id)),
  );
};
