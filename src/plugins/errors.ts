import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { type ErrorCode, errorCatalog, errorMessage, HubError } from '../errors.ts';
import type { Problem } from '../schemas/common.ts';
import { partLabel, validationMessage } from './validation-messages.ts';

export function problemOf(
  code: ErrorCode,
  detail: string,
  instance?: string,
  errors?: Problem['errors'],
): Problem {
  const entry = errorCatalog[code];
  return {
    type: `https://madoguchi-hub.invalid/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: entry.title,
    status: entry.status,
    code,
    detail,
    ...(instance ? { instance } : {}),
    ...(errors ? { errors } : {}),
  };
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).type('application/problem+json').send(problem);
}

/** Every error leaves as RFC 9457 problem+json with a stable code; 5xx text is never leaked. */
export const errorsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError | HubError, request, reply) => {
      // The route as declared, never the path as sent: an id in the path is the caller's and
      // the disclosure policy's, not the error's to repeat.
      const instance = request.routeOptions.url;
      if (error instanceof HubError) {
        if (error.statusCode >= 500) request.log.error({ err: error }, 'request failed');
        return sendProblem(reply, problemOf(error.code, error.message, instance, error.errors));
      }
      const fe = error as FastifyError;
      if (fe.validation) {
        const errors = fe.validation.map((v) => ({
          field: (
            v.instancePath ||
            (v.params as { missingProperty?: string })?.missingProperty ||
            ''
          ).replace(/^\//, ''),
          message: validationMessage(v),
        }));
        return sendProblem(
          reply,
          problemOf(
            'HUB_ERR_VALIDATION',
            errorMessage('HUB_ERR_VALIDATION', {
              message: `${partLabel(fe.validationContext)}の内容が正しくありません: ${errors.map((e) => `${e.field || '全体'} ${e.message}`).join('、')}`,
            }),
            instance,
            errors,
          ),
        );
      }
      if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        return sendProblem(reply, problemOf('HUB_ERR_UNSUPPORTED_MEDIA_TYPE', fe.message, instance));
      }
      if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return sendProblem(reply, problemOf('HUB_ERR_PAYLOAD_TOO_LARGE', fe.message, instance));
      }
      if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
        return sendProblem(reply, {
          ...problemOf('HUB_ERR_BAD_REQUEST', fe.message, instance),
          status: fe.statusCode,
        });
      }
      request.log.error({ err: error }, 'request failed');
      return sendProblem(
        reply,
        problemOf('HUB_ERR_INTERNAL', errorMessage('HUB_ERR_INTERNAL', { requestId: request.id }), instance),
      );
    });
    app.setNotFoundHandler((request, reply) =>
      sendProblem(
        reply,
        problemOf(
          'HUB_ERR_ROUTE_NOT_FOUND',
          errorMessage('HUB_ERR_ROUTE_NOT_FOUND', { method: request.method, url: request.url.split('?')[0] }),
          request.url.split('?')[0],
        ),
      ),
    );
  },
  { name: 'errors' },
);
