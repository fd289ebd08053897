import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { StoredKey } from '../config/api-keys.ts';
import { HubError } from '../errors.ts';

/** Headers a counter front end sends and reads across origins. */
const REQUEST_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'X-Visit-Id',
  'X-Purpose',
  'X-Staff-Id',
  'X-Restricted-Access',
  'X-File-Name',
];

/**
 * CORS per client: a browser may call the hub only from an origin some API key lists in its
 * `origins`, and a request with that key only from one of that key's origins (403 otherwise).
 * Off by default: with no key listing origins, no CORS header is ever sent.
 */
export const corsPlugin = fp(
  async (app: FastifyInstance, options: { apiKeys: StoredKey[] }) => {
    const byClient = new Map(
      options.apiKeys.filter((k) => k.origins?.length).map((k) => [k.id, new Set(k.origins)]),
    );
    const all = new Set([...byClient.values()].flatMap((s) => [...s]));
    if (all.size === 0) return;
    await app.register(cors, {
      origin: (origin, done) => done(null, origin !== undefined && all.has(origin)),
      methods: ['GET', 'POST', 'PUT'],
      allowedHeaders: REQUEST_HEADERS,
      exposedHeaders: ['Content-Type', 'Location'],
      maxAge: 600,
    });
    app.addHook('preHandler', async (request) => {
      const origin = request.headers.origin;
      if (!origin || !request.client) return;
      if (!byClient.get(request.client.id)?.has(origin))
        throw new HubError('HUB_ERR_ORIGIN_NOT_ALLOWED', { origin });
    });
  },
  { name: 'cors-per-client' },
);
