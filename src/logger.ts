import { type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify';
import type { DestinationStream, LoggerOptions } from 'pino';
import type { RequestLimits } from './config/env.ts';
import { HubError } from './errors.ts';

/**
 * Log redaction: secrets and personal fields never reach a log line. Request URLs are logged
 * without their query string (it carries names, kana and birth dates in searches).
 */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers["x-restricted-access"]',
  'headers.authorization',
  '*.myNumber',
  '*.name',
  '*.kana',
  '*.birthDate',
  '*.address',
  '*.values',
  'myNumber',
  'name',
  'kana',
  'birthDate',
  'address',
  'values',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: {
      req(req: {
        method: string;
        url: string;
        id: string;
        headers?: Record<string, unknown>;
        routeOptions?: { url?: string };
      }) {
        return {
          method: req.method,
          url: logPath(req.url, req.routeOptions?.url),
          id: req.id,
          client: req.headers?.['x-client-id'],
        };
      },
      err: safeError,
      error: safeError,
    },
  };
}

/**
 * Per-request lines ("incoming request", "request completed") at debug rather than info: at
 * counter load they cost more than the request itself. Errored requests still log at error.
 */
class DebugRequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    _request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error)
      reply.log.error({ res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

/**
 * The Fastify options shared by `serve` and tests. Node answers 408 itself when headers (or a
 * whole request, when `requestTimeoutMs` is set) take too long; slow bodies are cut by the
 * request-limits plugin.
 */
export function serverOptions(
  level: string,
  stream?: DestinationStream,
  limits?: Pick<RequestLimits, 'headersTimeoutMs' | 'requestTimeoutMs'>,
): FastifyServerOptions {
  return {
    logger: stream ? { ...loggerOptions(level), stream } : loggerOptions(level),
    bodyLimit: 1024 * 1024,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    ...(limits
      ? {
          requestTimeout: limits.requestTimeoutMs,
          http: {
            headersTimeout:
              limits.requestTimeoutMs > 0
                ? Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs)
                : limits.headersTimeoutMs,
            // How often Node checks those timeouts (its default is 30 s).
            connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
          },
        }
      : {}),
    logController: new DebugRequestLogController(),
  };
}

/**
 * A request path as logged: the query string is dropped, and a path that matched no route
 * (its segments are whatever the client typed, a name perhaps) keeps only its ASCII shape.
 */
function logPath(url: string, route: string | undefined): string {
  const path = url.split('?')[0] ?? '';
  return route === undefined ? scrubText(path) : path;
}

/**
 * Text from outside the hub (a driver's message, a stack, a target system's answer) as it may
 * be logged: quoted parts, anything non-ASCII, percent-encoded bytes and long digit runs
 * (個人番号, 基礎年金番号, 住民票コード) are replaced. What remains says what failed, not about whom.
 */
export function scrubText(text: string): string {
  return text
    .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|「[^」]*」|\([^()\n]*\)=\([^()\n]*\)/g, '[redacted]')
    .replace(/(?:%[0-9a-fA-F]{2})+/g, '[redacted]')
    .replace(/[^\x00-\x7f]+/g, '[redacted]')
    .replace(/\d{6,}/g, '[redacted]');
}

/**
 * The error serializer: a whitelist. Database errors carry the statement's parameters (PGlite
 * `params`, a whole person record), `detail`, `where`, `query` and the like: none of them is
 * logged. A HubError's message comes from the catalog and is kept; any other message and stack
 * are scrubbed (`scrubText`).
 */
export function safeError(err: unknown, depth = 0): unknown {
  if (typeof err === 'string') return scrubText(err);
  if (!err || typeof err !== 'object') return err;
  const e = err as Error & { code?: unknown; statusCode?: unknown; severity?: unknown; cause?: unknown };
  const out: Record<string, unknown> = { type: e.constructor?.name ?? 'Error' };
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
  if (typeof e.statusCode === 'number') out.statusCode = e.statusCode;
  if (typeof e.severity === 'string') out.severity = e.severity;
  const message = typeof e.message === 'string' ? e.message : '';
  out.message = e instanceof HubError ? message : scrubText(message);
  if (typeof e.stack === 'string') {
    const frames = e.stack
      .split('\n')
      .filter((l) => /^\s+at /.test(l))
      .map(scrubText);
    out.stack = [`${String(out.type)}: ${String(out.message)}`, ...frames].join('\n');
  }
  if (e.cause !== undefined && depth < 3) out.cause = safeError(e.cause, depth + 1);
  if (err instanceof AggregateError && depth < 3)
    out.errors = err.errors.slice(0, 5).map((x) => safeError(x, depth + 1));
  return out;
}
