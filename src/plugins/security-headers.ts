import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** The API answers JSON only: nothing may load, frame or submit from it. */
const apiDirectives = {
  defaultSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

/**
 * `/docs` (swagger-ui) loads its own scripts, styles and the OpenAPI document from this origin;
 * it builds styles at run time and shows data: images. No inline script is allowed.
 */
const docsDirectives = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'", 'data:'],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  imgSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
};

/**
 * Security headers on every answer (@fastify/helmet: CSP, HSTS, nosniff, frame denial, no
 * referrer), a CSP for `/docs` that keeps swagger-ui working, and `Cache-Control: no-store` on
 * every `/v1` answer and every route marked `personal`: no shared or browser cache keeps
 * personal data, errors included.
 */
export const securityHeadersPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRoute', (route) => {
      if (route.url === '/docs' || route.url.startsWith('/docs/')) {
        route.config = {
          ...(route.config ?? {}),
          helmet: { contentSecurityPolicy: { useDefaults: false, directives: docsDirectives } },
        } as typeof route.config;
      }
    });
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: { useDefaults: false, directives: apiDirectives },
      referrerPolicy: { policy: 'no-referrer' },
      crossOriginResourcePolicy: { policy: 'same-origin' },
    });
    app.addHook('onSend', async (request, reply, payload) => {
      const route = request.routeOptions.url;
      if (request.routeOptions.config.personal || route === '/v1' || route?.startsWith('/v1/')) {
        reply.header('cache-control', 'no-store');
        reply.header('pragma', 'no-cache');
      }
      return payload;
    });
  },
  { name: 'security-headers' },
);
