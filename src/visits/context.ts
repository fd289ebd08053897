import type { Kysely } from 'kysely';
import type { Disclosure, Viewer } from '../access/disclosure.ts';
import { HubError } from '../errors.ts';
import type { VisitContext, VisitPerson } from '../procedures/context.ts';
import type { LifeEvent } from '../procedures/rules.ts';
import type { PersonRecord } from '../schemas/person.ts';
import type { TransferCertificate } from '../schemas/transfer-certificate.ts';
import type { VisitRecord } from '../schemas/visit.ts';
import type { CertificatesRepository } from '../store/certificates-repo.ts';
import type { EnrolmentsRepository } from '../store/enrolments-repo.ts';
import type { Database, PersonRow } from '../store/types.ts';

type Insurance = VisitPerson['insuredBefore'];

function fromResident(row: PersonRow, r: PersonRecord, order: number): VisitPerson {
  const insuredBefore: Insurance = {};
  for (const k of ['kokuho', 'kouki', 'kaigo', 'nenkin'] as const) {
    const e = r.insurance?.[k];
    if (e) insuredBefore[k] = e.enrolled;
  }
  if (r.insurance?.jidouTeate) insuredBefore.jidouTeate = !!r.insurance.jidouTeate.kind;
  return {
    id: row.id,
    order: r.householdOrder ?? order,
    source: 'resident',
    name: r.name,
    ...(r.kana ? { kana: r.kana } : {}),
    birthDate: r.birthDate,
    sex: r.sex,
    relationship: r.relationship,
    insuredBefore,
    ...(r.insurance?.nenkin?.kind ? { pensionKind: r.insurance.nenkin.kind } : {}),
    enrolments: [],
    record: r as unknown as Record<string, unknown>,
    provenance: row.provenance.source,
  };
}

function fromCertificate(cert: TransferCertificate, p: TransferCertificate['persons'][number]): VisitPerson {
  const insuredBefore: Insurance = {};
  for (const k of ['kokuho', 'kouki', 'kaigo', 'nenkin', 'jidouTeate'] as const) {
    const e = p.insurance?.[k];
    if (e) insuredBefore[k] = e.enrolled;
  }
  return {
    id: p.id,
    order: p.order,
    source: 'certificate',
    name: p.name,
    ...(p.kana ? { kana: p.kana } : {}),
    birthDate: p.birthDate,
    sex: p.sex,
    relationship: p.relationship,
    insuredBefore,
    ...(p.insurance?.nenkin?.kind ? { pensionKind: p.insurance.nenkin.kind } : {}),
    enrolments: [],
    record: p as unknown as Record<string, unknown>,
    provenance: cert.provenance,
  };
}

export interface ContextDeps {
  db: Kysely<Database>;
  certificates: CertificatesRepository;
  enrolments: EnrolmentsRepository;
  disclosure: Disclosure;
}

/**
 * The persons and facts of a visit, for rules and forms. A certificate person who is already
 * in the 住記 register is read from the register (the same id), so later forms of the visit
 * use the 住記 values. Register persons pass through the disclosure policy for the viewer: a
 * restricted person is left out, and a shielded one comes without address, 本籍 and household
 * (forms then leave those to be written).
 */
export async function visitContext(
  deps: ContextDeps,
  visit: { life_event: string; reference_date: string; record: VisitRecord },
  viewer: Viewer,
): Promise<VisitContext> {
  const seen = async (rows: PersonRow[]) => deps.disclosure.visitRecords(viewer, rows);
  const subjects = visit.record.subjects;
  const persons: VisitPerson[] = [];
  let certificate: VisitContext['certificate'];
  if ('transferCertificateId' in subjects) {
    const cert = await deps.certificates.get(subjects.transferCertificateId);
    if (!cert) throw new HubError('HUB_ERR_NOT_FOUND', { what: '転出証明書' });
    certificate = {
      id: cert.id,
      number: cert.number,
      ...(cert.plannedMoveOn ? { plannedMoveOn: cert.plannedMoveOn } : {}),
      ...(cert.previousAddress ? { previousAddress: cert.previousAddress } : {}),
      ...(cert.destination ? { destination: cert.destination } : {}),
      ...(cert.headName ? { headName: cert.headName } : {}),
      record: cert as unknown as Record<string, unknown>,
    };
    const matched = cert.persons.map((p) => p.matchedPersonId).filter((x): x is string => !!x);
    const residents = await seen(
      matched.length
        ? await deps.db.selectFrom('person_records').selectAll().where('id', 'in', matched).execute()
        : [],
    );
    for (const p of cert.persons) {
      const resident = residents.find((r) => r.row.id === p.matchedPersonId);
      if (resident) persons.push({ ...fromResident(resident.row, resident.record, p.order), order: p.order });
      else if (!p.matchedPersonId) persons.push(fromCertificate(cert, p));
    }
  } else {
    const rows =
      'residentIds' in subjects
        ? await deps.db
            .selectFrom('person_records')
            .selectAll()
            .where('id', 'in', subjects.residentIds)
            .execute()
        : await deps.db
            .selectFrom('person_records')
            .selectAll()
            .where('household_id', '=', subjects.householdId)
            .where('status', '=', 'resident')
            .orderBy('household_order')
            .execute();
    (await seen(rows)).forEach(({ row, record }, i) => {
      persons.push(fromResident(row, record, i + 1));
    });
  }
  persons.sort((a, b) => a.order - b.order);
  const enrolments = await deps.enrolments.forPersons(
    persons.filter((p) => p.source === 'resident').map((p) => p.id),
  );
  for (const p of persons) p.enrolments = enrolments.filter((e) => e.personId === p.id);
  return {
    lifeEvent: visit.life_event as LifeEvent,
    referenceDate: visit.reference_date,
    persons,
    ...(certificate ? { certificate } : {}),
  };
}
