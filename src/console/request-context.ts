import type { FastifyRequest } from 'fastify';
import type { ConsoleSession } from '../store/console-sessions-repo.ts';
import type { PageContext } from './layout.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The console session, set by the console's guard on every page but sign-in. */
    consoleSession?: ConsoleSession;
  }
}

export function contextOf(request: FastifyRequest, notice?: string, error?: string): PageContext {
  const s = request.consoleSession;
  return {
    ...(s ? { session: { clientId: s.clientId, csrf: s.csrf } } : {}),
    ...(notice ? { notice } : {}),
    ...(error ? { error } : {}),
  };
}

/** A form field as text (a repeated field counts once), trimmed. */
export function field(request: FastifyRequest, name: string): string {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const v = body[name];
  return typeof v === 'string' ? v.trim() : '';
}
