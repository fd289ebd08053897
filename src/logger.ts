import { type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify';
import type { DestinationStream, LoggerOptions } from 'pino';

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
      req(req: { method: string; url: string; id: string; headers?: Record<string, unknown> }) {
        return {
          method: req.method,
          url: req.url.split('?')[0],
          id: req.id,
          client: req.headers?.['x-client-id'],
        };
      },
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

/** The Fastify options shared by `serve` and tests. */
export function serverOptions(level: string, stream?: DestinationStream): FastifyServerOptions {
  return {
    logger: stream ? { ...loggerOptions(level), stream } : loggerOptions(level),
    bodyLimit: 1024 * 1024,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    logController: new DebugRequestLogController(),
  };
}
