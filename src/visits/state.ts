import type { Selectable } from 'kysely';
import type { VisitStatus } from '../schemas/visit.ts';
import type { Database } from '../store/types.ts';

/** The day, staff and status fields of a visit answer, from its row. */
export function visitState(row: Selectable<Database['visits']>) {
  return {
    visitDate: row.visit_date,
    ...(row.staff_id ? { staffId: row.staff_id } : {}),
    status: row.status as VisitStatus,
    ...(row.closed_at ? { closedAt: new Date(row.closed_at).toISOString() } : {}),
    ...(row.closed_by ? { closedBy: row.closed_by } : {}),
    ...(row.close_reason ? { closeReason: row.close_reason } : {}),
    createdAt: new Date(row.created_at).toISOString(),
  };
}
