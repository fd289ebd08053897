import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { RequestLimits } from '../config/env.ts';
import { inputGuardPlugin } from './input-guard.ts';
import { rateLimitPlugin } from './rate-limit.ts';
import { requestLimitsPlugin } from './request-limits.ts';
import { securityHeadersPlugin } from './security-headers.ts';

/**
 * Everything that bounds and screens a request before a route sees it, in hook order: security
 * headers (set first, so refusals carry them too), load shedding and body limits, characters no
 * store can hold, then the per-client rate limit (a route hook: after authentication). Register
 * it after the errors plugin and before any route.
 */
export const hardeningPlugin = fp<{ limits: RequestLimits }>(
  async (app: FastifyInstance, { limits }) => {
    await app.register(securityHeadersPlugin);
    await app.register(requestLimitsPlugin, { limits });
    await app.register(inputGuardPlugin);
    await app.register(rateLimitPlugin, { perMinute: limits.ratePerMinute });
  },
  { name: 'hardening', dependencies: ['errors'] },
);
