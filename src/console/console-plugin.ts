import { readFileSync } from 'node:fs';
import cookie from '@fastify/cookie';
import type { FastifyError, FastifyInstance, FastifyPluginAsync } from 'fastify';
import { HubError } from '../errors.ts';
import { createConsoleSessionsRepository } from '../store/console-sessions-repo.ts';
import { html } from './html.ts';
import { page } from './layout.ts';
import { dashboardPage } from './pages/dashboard.ts';
import { deliveriesPage } from './pages/deliveries.ts';
import { importsPage } from './pages/imports.ts';
import { jobsPage } from './pages/jobs.ts';
import { setupPage } from './pages/setup.ts';
import { signInPage } from './pages/sign-in.ts';
import { contextOf, field } from './request-context.ts';
import { consoleScopes, currentSession, sameSecret } from './session.ts';

const css = readFileSync(new URL('./assets/console.css', import.meta.url));
const icon = readFileSync(new URL('./assets/favicon.svg', import.meta.url));

/** No script, no inline style, nothing from elsewhere: the console needs none of it. */
const contentSecurityPolicy =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const open = new Set(['/console/sign-in', '/console/assets/console.css', '/console/assets/favicon.svg']);

/**
 * The operations console under `/console`: server-rendered Japanese pages over the same use
 * cases as `/v1`, behind a sign-in with an operator key (`console` or `admin`). The session is
 * an HttpOnly, SameSite=Strict cookie whose digest is stored; every POST carries the session's
 * CSRF token; a session ends after 15 idle minutes or 8 hours.
 */
export const consolePlugin: FastifyPluginAsync = async (app) => {
  // Pages are not part of the API contract.
  app.addHook('onRoute', (route) => {
    route.schema = { ...(route.schema ?? {}), hide: true };
  });
  await app.register(cookie);
  const sessions = createConsoleSessionsRepository(app.hub.store.db);
  app.decorateRequest('consoleSession', undefined);
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'no-store');
    reply.header('content-security-policy', contentSecurityPolicy);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    return payload;
  });

  app.addHook('preHandler', async (request, reply) => {
    const route = request.routeOptions.url;
    // Cross-site form posts are refused outright where the browser says so (Fetch Metadata).
    const site = request.headers['sec-fetch-site'];
    if (request.method === 'POST' && site && site !== 'same-origin' && site !== 'none')
      throw new HubError('HUB_ERR_CSRF');
    if (route && open.has(route)) return;
    const session = await currentSession(sessions, request);
    const key = session && app.keyring.byId(session.clientId);
    if (!session || !key?.scopes.some((s) => consoleScopes.includes(s))) {
      const to =
        request.method === 'GET'
          ? `/console/sign-in?next=${encodeURIComponent(request.url)}`
          : '/console/sign-in?notice=expired';
      return reply.redirect(to, 303);
    }
    request.consoleSession = session;
    if (request.method === 'POST' && !sameSecret(field(request, '_csrf'), session.csrf))
      throw new HubError('HUB_ERR_CSRF');
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'console request failed');
    const message =
      error instanceof HubError
        ? error.message
        : status < 500
          ? '要求を受け付けられませんでした。'
          : `内部エラーが発生しました（${request.id}）。`;
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(
        page(
          contextOf(request, undefined, message),
          '',
          'エラー',
          html`<p><a href="/console">ダッシュボードへ戻る</a></p>`,
        ),
      );
  });

  app.get('/assets/console.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(css));
  app.get('/assets/favicon.svg', async (_request, reply) => reply.type('image/svg+xml').send(icon));
  await app.register(signInPage(sessions));
  await app.register(dashboardPage);
  await app.register(importsPage);
  await app.register(deliveriesPage);
  await app.register(jobsPage);
  await app.register(setupPage);
};

/** The console at `/console`, and `/` sending a browser there. */
export async function registerConsole(app: FastifyInstance): Promise<void> {
  await app.register(consolePlugin, { prefix: '/console' });
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console', 302));
}
