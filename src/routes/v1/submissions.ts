import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Selectable } from 'kysely';
import { handoffOf } from '../../delivery/targets.ts';
import { HubError } from '../../errors.ts';
import { Submission } from '../../schemas/form.ts';
import type { Database } from '../../store/types.ts';
import { problems } from '../common.ts';

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

  /** The submission, only for the client whose visit it belongs to. */
  async function load(id: string, clientId: string) {
    const s = await db
      .selectFrom('form_submissions as s')
      .innerJoin('visits as v', 'v.id', 's.visit_id')
      .selectAll('s')
      .where('s.id', '=', id)
      .where('v.client_id', '=', clientId)
      .executeTakeFirst();
    if (!s) throw new HubError('HUB_ERR_NOT_FOUND', { what: `受付 ${id}` });
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
    async (request) => load(request.params.id, request.client!.id),
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
      await load(request.params.id, request.client!.id);
      await db
        .updateTable('deliveries')
        .set({ status: 'pending', attempts: 0, next_attempt_at: new Date(), claimed_until: null })
        .where('submission_id', '=', request.params.id)
        .where('status', 'in', ['failed', 'dead'])
        .execute();
      return reply.code(202).send(await load(request.params.id, request.client!.id));
    },
  );
};
