import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HubError } from '../../errors.ts';
import { DeliveryFilter, OutboxDelivery, RedeliverResult } from '../../schemas/operations.ts';
import { Limits, problems } from '../common.ts';

/** The outbox across every client, for operators (scope `console`): list, replay one, replay a target's dead. */
export const deliveryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { deliveries, targets } = app.hub;

  app.get(
    '/deliveries',
    {
      config: { scope: 'console' },
      schema: {
        tags: ['operations'],
        operationId: 'listDeliveries',
        summary: 'Deliveries, newest first, by status, target, submission and creation time',
        description: 'Each with its attempts and the error of its last attempt; no submitted values.',
        querystring: Type.Object({ ...DeliveryFilter.properties, ...Limits }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref(OutboxDelivery)), total: Type.Integer() }),
          ...problems(400, 401, 403),
        },
      },
    },
    async (request) => deliveries.list(request.query),
  );

  app.post(
    '/deliveries/:id/redeliver',
    {
      config: { scope: 'console' },
      schema: {
        tags: ['operations'],
        operationId: 'redeliverDelivery',
        summary: 'Replay one failed or dead delivery now',
        params: Type.Object({ id: Type.String() }),
        response: { 202: Type.Ref(OutboxDelivery), ...problems(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const before = await deliveries.get(id);
      if (!before) throw new HubError('HUB_ERR_NOT_FOUND', { what: '配信' });
      if (!(await deliveries.redeliver(id)))
        throw new HubError('HUB_ERR_NOT_REDELIVERABLE', { status: before.status });
      await app.hub.audit.record({
        clientId: request.client!.id,
        action: 'deliveries.redeliver',
        subjects: [],
        fields: [`delivery:${id}`],
        requestId: request.id,
      });
      return reply.code(202).send((await deliveries.get(id))!);
    },
  );

  app.post(
    '/deliveries/redeliver',
    {
      config: { scope: 'console' },
      schema: {
        tags: ['operations'],
        operationId: 'redeliverDeadDeliveries',
        summary: 'Replay every dead delivery of a target (after its fault was fixed)',
        body: Type.Object({ target: Type.String({ description: 'a target id' }) }),
        response: { 202: Type.Ref(RedeliverResult), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { target } = request.body;
      if (!targets.some((t) => t.id === target))
        throw new HubError('HUB_ERR_NOT_FOUND', { what: `送信先 ${target}` });
      const redelivered = await deliveries.redeliverDead(target);
      await app.hub.audit.record({
        clientId: request.client!.id,
        action: 'deliveries.redeliver-dead',
        subjects: [],
        fields: [`target:${target}`, `count:${redelivered}`],
        requestId: request.id,
      });
      return reply.code(202).send({ target, redelivered });
    },
  );
};
