import type { App } from '../../src/app.ts';
import type { ApiKey } from '../../src/config/env.ts';

/** `name=value` of every cookie a response sets (attributes dropped). */
export function cookiesOf(setCookie: string | string[] | undefined): string {
  const all = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return all.map((c) => c.split(';')[0]).join('; ');
}

export function csrfOf(body: string): string {
  return /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';
}

export const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
export const formHeaders = (cookie: string) => ({
  cookie,
  'content-type': 'application/x-www-form-urlencoded',
});

/** Signs in through the form as a browser would; the session cookie and the session's CSRF token. */
export async function signIn(app: App, key: ApiKey): Promise<{ cookie: string; csrf: string }> {
  const page = await app.inject({ method: 'GET', url: '/console/sign-in' });
  const res = await app.inject({
    method: 'POST',
    url: '/console/sign-in',
    headers: formHeaders(cookiesOf(page.headers['set-cookie'])),
    payload: form({ _csrf: csrfOf(page.body), key: key.key!, next: '/console' }),
  });
  if (res.statusCode !== 303) throw new Error(`sign-in answered ${res.statusCode}`);
  const cookie = cookiesOf(res.headers['set-cookie'])
    .split('; ')
    .find((c) => c.startsWith('hub_console='))!;
  const dashboard = await app.inject({ method: 'GET', url: '/console', headers: { cookie } });
  return { cookie, csrf: csrfOf(dashboard.body) };
}
