import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleSessionsRepository } from '../../store/console-sessions-repo.ts';
import { html } from '../html.ts';
import { page } from '../layout.ts';
import { noticeOf } from '../notices.ts';
import { contextOf, field } from '../request-context.ts';
import {
  closeSession,
  consoleScopes,
  issueSignInToken,
  openSession,
  sameSecret,
  signInCookie,
} from '../session.ts';

/** Only a path inside the console may follow sign-in (no other site, no `//host`). */
export function safeNext(next: string | undefined): string {
  return next && /^\/console(\/[^/\\]|\/?$|\?)/.test(next) && !next.includes('//') ? next : '/console';
}

function form(request: FastifyRequest, reply: FastifyReply, next: string, error?: string, status = 200) {
  const csrf = issueSignInToken(request, reply);
  const notice = error ? undefined : noticeOf(request.query as Record<string, string>);
  const body = html`
<form class="signin" method="post" action="/console/sign-in">
<input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="next" value="${next}">
<p class="field"><label for="f-key">運用者の API キー</label>
<input id="f-key" name="key" type="password" required autocomplete="current-password" autofocus></p>
<p class="hint">HUB_API_KEYS のうち <code>console</code> または <code>admin</code> の権限を持つキーでサインインします。15分操作がないとサインアウトします。</p>
<p class="actions"><button type="submit">サインイン</button></p>
</form>`;
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(page(contextOf(request, notice, error), '', 'サインイン', body));
}

export function signInPage(sessions: ConsoleSessionsRepository): FastifyPluginAsync {
  return async (app) => {
    app.get('/sign-in', async (request, reply) =>
      form(request, reply, safeNext((request.query as Record<string, string>).next)),
    );

    app.post('/sign-in', async (request, reply) => {
      const next = safeNext(field(request, 'next'));
      const cookie = request.cookies[signInCookie];
      const sent = field(request, '_csrf');
      if (!cookie || !sent || !sameSecret(cookie, sent))
        return form(
          request,
          reply,
          next,
          '画面の有効期限が切れました。もう一度サインインしてください。',
          403,
        );
      const key = app.keyring.find(field(request, 'key'));
      if (!key?.scopes.some((s) => consoleScopes.includes(s))) {
        request.log.warn({ client: key?.id }, 'console sign-in refused');
        return form(
          request,
          reply,
          next,
          'キーが違うか、運用コンソールを使う権限（console または admin）がありません。',
          401,
        );
      }
      // A session the browser may already have is ended: a sign-in always gets a fresh token.
      await closeSession(sessions, request, reply);
      await openSession(sessions, request, reply, key);
      reply.clearCookie(signInCookie, { path: '/console/sign-in' });
      request.log.info({ client: key.id }, 'console sign-in');
      return reply.redirect(next, 303);
    });

    app.post('/sign-out', async (request, reply) => {
      await closeSession(sessions, request, reply);
      return reply.redirect('/console/sign-in?notice=signed-out', 303);
    });
  };
}
