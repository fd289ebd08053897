import { handoffOf } from '../delivery/targets.ts';
import { HubError } from '../errors.ts';
import { consolidatedApplication as buildApplication } from '../prefill/consolidated.ts';
import type { ConsolidatedApplication, ConsolidatedSignInput } from '../schemas/consolidated.ts';
import { type Actor, type CounterDeps, loadContext, loadVisit, visitAuditEntry } from './actor.ts';

/** 「まとめて申請書」 of a visit: every accepted form in one document; the read is audited as `action`. */
export async function consolidatedApplication(
  deps: CounterDeps,
  actor: Actor,
  visitId: string,
  action = 'visits.consolidated',
): Promise<ConsolidatedApplication> {
  const row = await loadVisit(deps, actor, visitId);
  const context = await loadContext(deps, actor, row);
  const application = buildApplication({
    visitId: row.id,
    referenceDate: row.reference_date,
    persons: context.persons,
    submissions: await deps.submissions.valuesForVisit(row.id),
    forms: deps.mappings.forms,
    handoff: (form) => handoffOf(deps.targets, form),
    ...(row.record.consolidated ? { signature: row.record.consolidated } : {}),
  });
  await deps.audit.record(
    visitAuditEntry(
      actor,
      row.id,
      context.persons,
      action,
      application.sections.map((s) => `${s.formId}:${s.fields.length}`),
    ),
  );
  return application;
}

/**
 * Records the one signature of the consolidated application over the forms accepted so far;
 * each form still goes to its own core system. The visit must be open and have accepted forms.
 */
export async function signConsolidated(
  deps: CounterDeps,
  actor: Actor,
  visitId: string,
  input: ConsolidatedSignInput,
): Promise<ConsolidatedApplication> {
  const row = await loadVisit(deps, actor, visitId);
  if (row.status !== 'open')
    throw new HubError('HUB_ERR_VISIT_CLOSED', { visitId: row.id, status: row.status });
  const accepted = await deps.submissions.valuesForVisit(row.id);
  if (accepted.length === 0)
    throw new HubError('HUB_ERR_VALIDATION', {
      message: 'まとめて申請書に載せる申請書がまだありません（先に各申請書を受け付けてください）',
    });
  await deps.visits.signConsolidated(row.id, actor.viewer.client.id, {
    method: input.method,
    confirmedBy: input.confirmedBy,
    at: new Date().toISOString(),
    forms: [...new Set(accepted.map((s) => s.formId))],
  });
  return consolidatedApplication(deps, actor, row.id, 'visits.consolidated.sign');
}
