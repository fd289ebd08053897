import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { HubError } from '../errors.ts';

/**
 * Per-client rate limit (@fastify/rate-limit): `perMinute` requests a minute for each API key
 * (by its client id; by address for requests without one, such as `/docs`). Over it: 429
 * problem `HUB_ERR_RATE_LIMITED` with `Retry-After`. Operations routes are not limited. The
 * limiter runs as a route hook, after authentication, so the client is known.
 */
export const rateLimitPlugin = fp<{ perMinute: number }>(
  async (app: FastifyInstance, { perMinute }) => {
    await app.register(rateLimit, {
      global: true,
      max: perMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => (request.client ? `client:${request.client.id}` : `ip:${request.ip}`),
      allowList: (request) => ['/healthz', '/readyz', '/metrics'].includes(request.routeOptions.url ?? ''),
      errorResponseBuilder: (_request, context) =>
        new HubError('HUB_ERR_RATE_LIMITED', { seconds: Math.max(1, Math.ceil(context.ttl / 1000)) }),
    });
  },
  { name: 'rate-limit', dependencies: ['errors'] },
);
