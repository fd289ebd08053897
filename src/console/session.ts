import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKey } from '../config/env.ts';
import type { ConsoleSession, ConsoleSessionsRepository } from '../store/console-sessions-repo.ts';

export const sessionCookie = 'hub_console';
export const signInCookie = 'hub_console_signin';
/** Signed out after this long without a request. */
export const idleTimeoutMs = 15 * 60_000;
/** Signed out after this long whatever happens. */
export const maxSessionMs = 8 * 60 * 60_000;
/** The scopes that may sign in to the console. */
export const consoleScopes = ['console', 'admin'];

const digest = (s: string) => createHash('sha256').update(s).digest();
const token = () => randomBytes(32).toString('base64url');

/** Compares two strings in constant time (by digest, so lengths do not leak either). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

function cookieOptions(request: FastifyRequest, maxAgeSeconds: number, path = '/console') {
  return {
    path,
    httpOnly: true,
    sameSite: 'strict' as const,
    // Secure whenever the console is reached over HTTPS (a TLS proxy with trustProxy included).
    secure: request.protocol === 'https',
    maxAge: maxAgeSeconds,
  };
}

/** Opens a session for an operator key: a fresh token (never one the browser brought), a CSRF token. */
export async function openSession(
  sessions: ConsoleSessionsRepository,
  request: FastifyRequest,
  reply: FastifyReply,
  key: ApiKey,
): Promise<void> {
  const secret = token();
  const now = Date.now();
  await sessions.removeExpired(new Date(now - idleTimeoutMs), new Date(now - maxSessionMs));
  await sessions.create({
    id: digest(secret).toString('hex'),
    clientId: key.id,
    scopes: key.scopes,
    csrf: token(),
    at: new Date(now),
  });
  reply.setCookie(sessionCookie, secret, cookieOptions(request, maxSessionMs / 1000));
}

/**
 * The request's live session, or undefined: unknown, idle past the timeout or older than the
 * maximum (both removed). A live one is touched, which restarts its idle time.
 */
export async function currentSession(
  sessions: ConsoleSessionsRepository,
  request: FastifyRequest,
): Promise<ConsoleSession | undefined> {
  const secret = request.cookies[sessionCookie];
  if (!secret) return undefined;
  const id = digest(secret).toString('hex');
  const session = await sessions.get(id);
  if (!session) return undefined;
  const now = Date.now();
  if (
    now - session.lastSeenAt.getTime() > idleTimeoutMs ||
    now - session.createdAt.getTime() > maxSessionMs
  ) {
    await sessions.remove(id);
    return undefined;
  }
  await sessions.touch(id, new Date(now));
  return session;
}

export async function closeSession(
  sessions: ConsoleSessionsRepository,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const secret = request.cookies[sessionCookie];
  if (secret) await sessions.remove(digest(secret).toString('hex'));
  reply.clearCookie(sessionCookie, { path: '/console' });
}

/** The sign-in form's own CSRF token (double submit: a cookie and a field that must match). */
export function issueSignInToken(request: FastifyRequest, reply: FastifyReply): string {
  const value = token();
  reply.setCookie(signInCookie, value, cookieOptions(request, 30 * 60, '/console/sign-in'));
  return value;
}
