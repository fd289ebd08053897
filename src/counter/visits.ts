import { privileged } from '../access/disclosure.ts';
import { handoffOf } from '../delivery/targets.ts';
import { HubError } from '../errors.ts';
import { evaluateProcedures } from '../procedures/evaluate.ts';
import type { LifeEvent } from '../procedures/rules.ts';
import type { SubmissionSummary } from '../schemas/form.ts';
import type {
  CloseVisitInput,
  ExtraForm,
  ExtraFormInput,
  Visit,
  VisitInput,
  VisitProgress,
  VisitStatus,
  VisitSummary,
} from '../schemas/visit.ts';
import { visitProgress as progressOf } from '../visits/progress.ts';
import { visitState } from '../visits/state.ts';
import { type Actor, type CounterDeps, loadContext, loadVisit, visitAuditEntry } from './actor.ts';

type VisitRow = Awaited<ReturnType<CounterDeps['visits']['get']>>;
type Context = Awaited<ReturnType<typeof loadContext>>;

function visitShape(row: VisitRow, context: Context): Visit {
  return {
    id: row.id,
    lifeEvent: context.lifeEvent,
    referenceDate: row.reference_date,
    identity: row.record.identity,
    consent: row.record.consent,
    subjects: row.record.subjects,
    extraForms: row.record.extraForms ?? [],
    persons: context.persons.map((p) => ({
      id: p.id,
      order: p.order,
      source: p.source,
      name: p.name.full,
      birthDate: p.birthDate,
      relationship: p.relationship,
    })),
    ...visitState(row),
  };
}

function summaryShape(row: VisitRow, submissions: number): VisitSummary {
  return {
    id: row.id,
    lifeEvent: row.life_event as LifeEvent,
    referenceDate: row.reference_date,
    subjects: row.record.subjects,
    submissions,
    ...visitState(row),
  };
}

/**
 * Opens a counter visit: checks that its subjects exist and that the actor may see them (a
 * used 転出証明書 is refused), stores it, and audits the opening.
 */
export async function openVisit(deps: CounterDeps, actor: Actor, input: VisitInput): Promise<Visit> {
  const { disclosure, persons, visits } = deps;
  const subjects = input.subjects;
  const viewer = actor.viewer;
  if ('transferCertificateId' in subjects) {
    const cert = await disclosure.certificate(
      viewer,
      await deps.certificates.get(subjects.transferCertificateId),
    );
    if (cert.status === 'registered') throw new HubError('HUB_ERR_CERTIFICATE_USED', { number: cert.number });
  } else if ('residentIds' in subjects) {
    const ids = [...new Set(subjects.residentIds)];
    const seen = await disclosure.persons(viewer, await persons.getMany(ids));
    if (seen.length !== ids.length) throw new HubError('HUB_ERR_NOT_FOUND', { what: '住民' });
  } else {
    await disclosure.household(viewer, subjects.householdId, await persons.household(subjects.householdId));
  }
  const id = await visits.create(viewer.client.id, input, viewer.restrictedReason);
  const row = await loadVisit(deps, actor, id);
  const context = await loadContext(deps, actor, row);
  await deps.audit.record(
    visitAuditEntry(
      actor,
      id,
      context.persons,
      'visits.open',
      ['name', 'birthDate', 'relationship'],
      input.identity.verifiedBy,
    ),
  );
  return visitShape(row, context);
}

/** A visit with its persons; audited. */
export async function readVisit(deps: CounterDeps, actor: Actor, id: string): Promise<Visit> {
  const row = await loadVisit(deps, actor, id);
  const context = await loadContext(deps, actor, row);
  await deps.audit.record(
    visitAuditEntry(actor, row.id, context.persons, 'visits.read', ['name', 'birthDate', 'relationship']),
  );
  return visitShape(row, context);
}

/** 手続ナビ: the procedures the visit needs and what the rules could not decide; audited. */
export async function visitProcedures(deps: CounterDeps, actor: Actor, id: string) {
  const row = await loadVisit(deps, actor, id);
  const context = await loadContext(deps, actor, row);
  const { procedures, review } = evaluateProcedures(deps.mappings.procedureRules, context);
  await deps.audit.record(
    visitAuditEntry(actor, row.id, context.persons, 'visits.procedures', [
      'birthDate',
      'relationship',
      'insurance',
      'enrolments',
    ]),
  );
  return { items: procedures, total: procedures.length, review };
}

/** Adds a form the 手続ナビ did not list, with staff's reason; the visit must be open. */
export async function addExtraForm(
  deps: CounterDeps,
  actor: Actor,
  id: string,
  input: ExtraFormInput,
): Promise<ExtraForm[]> {
  if (!deps.mappings.forms.has(input.formId))
    throw new HubError('HUB_ERR_FORM_UNKNOWN', { formId: input.formId });
  const visit = await loadVisit(deps, actor, id);
  if (visit.status !== 'open')
    throw new HubError('HUB_ERR_VISIT_CLOSED', { visitId: visit.id, status: visit.status });
  const list = await deps.visits.addExtraForm(id, actor.viewer.client.id, {
    ...input,
    at: new Date().toISOString(),
  });
  await deps.audit.record(visitAuditEntry(actor, id, [], 'visits.extra-form', [input.formId], input.addedBy));
  return list;
}

/** The client's visits, newest first; visits opened with a restricted-access reason only for a privileged actor. */
export async function listVisits(
  deps: CounterDeps,
  actor: Actor,
  filter: {
    date?: string;
    staffId?: string;
    status?: VisitStatus;
    lifeEvent?: LifeEvent;
    limit?: number;
    offset?: number;
  },
): Promise<{ items: VisitSummary[]; total: number }> {
  const { limit = 50, offset = 0, ...rest } = filter;
  const { rows, total } = await deps.visits.list(actor.viewer.client.id, {
    ...rest,
    withRestricted: privileged(actor.viewer),
    limit,
    offset,
  });
  return { items: rows.map((row) => summaryShape(row, Number(row.submissions ?? 0))), total };
}

/** Completes a visit, or cancels it with a reason (required); a closed visit is not changed again. */
export async function closeVisit(
  deps: CounterDeps,
  actor: Actor,
  id: string,
  input: CloseVisitInput,
): Promise<VisitSummary> {
  if (input.status === 'cancelled' && !input.reason)
    throw new HubError(
      'HUB_ERR_VALIDATION',
      { message: '来庁を取り消すには理由（reason）を入力してください' },
      [{ field: 'reason', message: '取消の理由を入力してください' }],
    );
  await loadVisit(deps, actor, id);
  await deps.visits.close(id, actor.viewer.client.id, input.status, input.by, input.reason);
  const row = await loadVisit(deps, actor, id);
  const list = await deps.submissions.forVisit(row.id);
  await deps.audit.record(
    visitAuditEntry(
      actor,
      row.id,
      [],
      `visits.${input.status === 'completed' ? 'complete' : 'cancel'}`,
      [],
      input.by,
    ),
  );
  return summaryShape(row, list.length);
}

/** The forms accepted in a visit, each with where it went and how its deliveries stand. */
export async function visitSubmissions(
  deps: CounterDeps,
  actor: Actor,
  id: string,
): Promise<{ items: SubmissionSummary[]; total: number }> {
  const row = await loadVisit(deps, actor, id);
  const items = (await deps.submissions.forVisit(row.id)).map((s): SubmissionSummary => {
    const handoff = handoffOf(deps.targets, deps.mappings.forms.get(s.formId)!);
    const d = s.deliveries;
    const state: SubmissionSummary['state'] =
      handoff.kind === 'paper'
        ? 'paper'
        : d.dead > 0
          ? 'dead'
          : d.failed > 0
            ? 'failed'
            : d.pending > 0
              ? 'pending'
              : 'delivered';
    return {
      id: s.id,
      formId: s.formId,
      createdAt: s.createdAt,
      ...(s.confirmedBy ? { confirmedBy: s.confirmedBy } : {}),
      handoff,
      deliveries: d,
      state,
    };
  });
  return { items, total: items.length };
}

/** Per 手続ナビ procedure: accepted, still due, or done without a hub form; audited. */
export async function visitProgress(deps: CounterDeps, actor: Actor, id: string): Promise<VisitProgress> {
  const row = await loadVisit(deps, actor, id);
  const context = await loadContext(deps, actor, row);
  const { procedures } = evaluateProcedures(deps.mappings.procedureRules, context);
  await deps.audit.record(
    visitAuditEntry(actor, row.id, context.persons, 'visits.progress', ['birthDate', 'relationship']),
  );
  return progressOf(
    { id: row.id, status: row.status, extraForms: row.record.extraForms ?? [] },
    procedures,
    deps.mappings.forms,
    await deps.submissions.forVisit(row.id),
  );
}
