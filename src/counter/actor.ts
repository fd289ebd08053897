import type { Viewer } from '../access/disclosure.ts';
import type { Hub } from '../app.ts';
import type { AuditEntry } from '../store/audit-repo.ts';
import { visitContext } from '../visits/context.ts';

/** What the counter use cases need of the hub: its repositories, mappings and targets. */
export type CounterDeps = Pick<
  Hub,
  | 'store'
  | 'visits'
  | 'submissions'
  | 'certificates'
  | 'enrolments'
  | 'persons'
  | 'disclosure'
  | 'audit'
  | 'mappings'
  | 'targets'
  | 'config'
>;

/**
 * Who acts, for every counter use case: the viewer the disclosure policy judges (client,
 * purpose, restricted-access reason), the staff member at the counter and the request id the
 * audit records. Routes make it from the request; the CLI and the scenario make it by hand.
 */
export interface Actor {
  viewer: Viewer;
  staffId?: string;
  requestId?: string;
}

/** The audit entry of a read or write inside a visit: the visit is its purpose. */
export function visitAuditEntry(
  actor: Actor,
  visitId: string,
  persons: { id: string }[],
  action: string,
  fields: string[],
  staffId?: string,
): AuditEntry {
  const staff = staffId ?? actor.staffId;
  return {
    clientId: actor.viewer.client.id,
    ...(staff ? { staffId: staff } : {}),
    visitId,
    ...(actor.viewer.restrictedReason ? { restrictedReason: actor.viewer.restrictedReason } : {}),
    action,
    subjects: persons.map((p) => p.id),
    fields,
    ...(actor.requestId ? { requestId: actor.requestId } : {}),
  };
}

/** The visit, only for its client and only when the disclosure policy lets the actor see it. */
export async function loadVisit(deps: CounterDeps, actor: Actor, id: string) {
  return deps.disclosure.visit(actor.viewer, await deps.visits.get(id, actor.viewer.client.id));
}

/** The persons and facts of a visit as the actor may see them. */
export async function loadContext(
  deps: CounterDeps,
  actor: Actor,
  row: Awaited<ReturnType<CounterDeps['visits']['get']>>,
) {
  return visitContext(
    {
      db: deps.store.db,
      certificates: deps.certificates,
      enrolments: deps.enrolments,
      disclosure: deps.disclosure,
    },
    row,
    actor.viewer,
  );
}
