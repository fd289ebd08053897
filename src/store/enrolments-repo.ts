import type { Kysely } from 'kysely';
import type { Enrolment } from '../schemas/enrolment.ts';
import type { Database } from './types.ts';

export function createEnrolmentsRepository(db: Kysely<Database>) {
  return {
    /** A person's enrolments, every program, newest first within a program. */
    async forPersons(personIds: string[]): Promise<Enrolment[]> {
      if (personIds.length === 0) return [];
      const rows = await db
        .selectFrom('enrolments')
        .selectAll()
        .where('person_id', 'in', personIds)
        .orderBy('program')
        .orderBy('updated_at', 'desc')
        .execute();
      return rows.map((r) => {
        const { extras: _e, gaiji: _g, ...record } = r.record;
        return {
          id: r.id,
          ...(r.person_id ? { personId: r.person_id } : {}),
          ...record,
          provenance: r.provenance,
        };
      });
    },
  };
}

export type EnrolmentsRepository = ReturnType<typeof createEnrolmentsRepository>;
