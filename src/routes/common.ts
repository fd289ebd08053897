import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { viewerOf } from '../access/disclosure.ts';
import type { Actor } from '../counter/actor.ts';
import { Problem } from '../schemas/common.ts';

const problem = Type.Ref(Problem);

/** Problem responses for the OpenAPI document, by status. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(statuses.map((s) => [s, problem]));
}

export const personalHeaders = Type.Object({
  'x-visit-id': Type.Optional(Type.String({ description: 'a visit of this client' })),
  'x-purpose': Type.Optional(
    Type.String({ description: 'why the data is read (percent-encoded UTF-8), recorded in the audit' }),
  ),
  'x-staff-id': Type.Optional(Type.String({ description: 'the staff member at the counter' })),
  'x-restricted-access': Type.Optional(
    Type.String({ description: 'admin only: the reason to see a restricted person in full; audited' }),
  ),
});

export const Limits = {
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
};

/** The audit fields that every personal-data route records. */
export function auditBase(request: FastifyRequest) {
  const why = request.why ?? {};
  return {
    clientId: request.client!.id,
    ...(why.staffId ? { staffId: why.staffId } : {}),
    ...(why.visitId ? { visitId: why.visitId } : {}),
    ...(why.purpose ? { purpose: why.purpose } : {}),
    ...(why.restrictedReason ? { restrictedReason: why.restrictedReason } : {}),
    requestId: request.id,
  };
}

/** The audit entry of a read or write inside a visit: the visit is its purpose. */
export function visitAudit(
  request: FastifyRequest,
  visitId: string,
  persons: { id: string }[],
  action: string,
  fields: string[],
  staffId?: string,
) {
  const viewer = viewerOf(request);
  return {
    clientId: request.client!.id,
    ...(staffId
      ? { staffId }
      : request.headers['x-staff-id']
        ? { staffId: String(request.headers['x-staff-id']) }
        : {}),
    visitId,
    ...(viewer.restrictedReason ? { restrictedReason: viewer.restrictedReason } : {}),
    action,
    subjects: persons.map((p) => p.id),
    fields,
    requestId: request.id,
  };
}

/** The actor of a counter use case, from a request that passed the auth plugin. */
export function actorOf(request: FastifyRequest): Actor {
  const staff = request.headers['x-staff-id'];
  return {
    viewer: viewerOf(request),
    ...(staff ? { staffId: String(staff) } : {}),
    requestId: request.id,
  };
}
