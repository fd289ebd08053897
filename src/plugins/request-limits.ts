import { Transform, type TransformCallback } from 'node:stream';
import { getHeapStatistics } from 'node:v8';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { RequestLimits } from '../config/env.ts';
import { HubError } from '../errors.ts';
import { problemOf, sendProblem } from './errors.ts';

/** Operations routes answer even under load: a balancer must still see the process. */
const exempt = new Set(['/healthz', '/readyz', '/metrics']);

/** Seconds a client is asked to wait after a 503. */
const RETRY_AFTER_SECONDS = 5;

function overloaded(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(
    reply.header('retry-after', String(RETRY_AFTER_SECONDS)),
    problemOf(
      'HUB_ERR_OVERLOADED',
      `現在混み合っています。${RETRY_AFTER_SECONDS} 秒後に再送してください`,
      request.url.split('?')[0],
    ),
  );
}

/**
 * Bounds on what one request may cost, before any of it is read:
 * - more than `maxInFlight` requests at once, a heap near its limit or an event loop late by
 *   more than `maxEventLoopDelayMs` (@fastify/under-pressure): 503 problem with `Retry-After`,
 *   at once, instead of queueing until connections reset;
 * - a declared `Content-Length` over the route's `bodyLimit` (POST /v1/imports: the upload
 *   limit): 413 before a byte of the body is read, and the connection is closed;
 * - a body whose next bytes do not come within `bodyTimeoutMs`, or that arrives slower than
 *   `bodyMinBytesPerSecond` on average after that grace: 408, connection closed.
 * Headers and whole-request timeouts are Node's own (`serverOptions`).
 */
export const requestLimitsPlugin = fp<{ limits: RequestLimits }>(
  async (app: FastifyInstance, { limits }) => {
    let inFlight = 0;
    const counted = Symbol('counted');
    type Counted = FastifyRequest & { [counted]?: boolean };

    app.addHook('onRequest', async (request: Counted, reply) => {
      const route = request.routeOptions.url;
      if (route !== undefined && exempt.has(route)) return;
      if (inFlight >= limits.maxInFlight || app.isUnderPressure()) return overloaded(request, reply);
      inFlight++;
      request[counted] = true;
      // One turn of the event loop before any work: requests that arrived meanwhile are parsed
      // and counted now. Work on the embedded database completes without yielding, so without
      // this turn requests would queue unseen, one after another, behind the socket.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const declared = Number(request.headers['content-length']);
      const limit = request.routeOptions.bodyLimit;
      if (Number.isFinite(declared) && limit !== undefined && declared > limit) {
        reply.header('connection', 'close');
        throw new HubError('HUB_ERR_PAYLOAD_TOO_LARGE', {
          message: `本文 ${declared} バイトは上限 ${limit} バイトを超えています`,
        });
      }
    });
    const release = async (request: Counted) => {
      if (!request[counted]) return;
      request[counted] = false;
      inFlight--;
    };
    app.addHook('onResponse', release);
    app.addHook('onRequestAbort', release);

    app.addHook('preParsing', async (request, reply, payload) => {
      const hasBody =
        request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length']) > 0;
      if (!hasBody) return payload;
      const guarded = bodyGuard(limits, () => reply.header('connection', 'close'));
      payload.on('error', (e) => guarded.destroy(e));
      return payload.pipe(guarded);
    });

    // Only its measurement is used: the hook above answers, with the hub's problem body.
    await app.register(underPressure, {
      maxEventLoopDelay: limits.maxEventLoopDelayMs,
      // Near the heap limit, refuse new work rather than crash every request in flight.
      maxHeapUsedBytes: Math.floor(getHeapStatistics().heap_size_limit * 0.9),
      retryAfter: RETRY_AFTER_SECONDS,
      pressureHandler: () => undefined,
    });
  },
  { name: 'request-limits', dependencies: ['errors'] },
);

/** A pass-through that fails with 408 when the body stalls or trickles. */
function bodyGuard(limits: RequestLimits, onTimeout: () => void): Transform {
  const started = Date.now();
  let last = started;
  let received = 0;
  const check = () => {
    const now = Date.now();
    let why: string | undefined;
    if (now - last > limits.bodyTimeoutMs) why = `${limits.bodyTimeoutMs} ミリ秒のあいだ何も届きません`;
    else if (
      limits.bodyMinBytesPerSecond > 0 &&
      now - started > limits.bodyTimeoutMs &&
      received / ((now - started) / 1000) < limits.bodyMinBytesPerSecond
    )
      why = `毎秒 ${limits.bodyMinBytesPerSecond} バイトより遅い`;
    if (!why) return;
    clearInterval(timer);
    onTimeout();
    guard.destroy(new HubError('HUB_ERR_REQUEST_TIMEOUT', { message: why }));
  };
  const timer = setInterval(check, Math.max(10, Math.min(1000, Math.floor(limits.bodyTimeoutMs / 4))));
  timer.unref();
  const guard = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      received += chunk.length;
      last = Date.now();
      done(null, chunk);
    },
  });
  const stop = () => clearInterval(timer);
  guard.on('end', stop);
  guard.on('close', stop);
  guard.on('error', stop);
  return guard;
}
