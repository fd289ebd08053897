import { withIdempotency } from '../delivery/idempotency.ts';
import { formWritesCp932, handoffOf, targetsForForm } from '../delivery/targets.ts';
import { HubError } from '../errors.ts';
import { newId } from '../ids.ts';
import { type AcceptedForm, prefillForm, valueKey, writeCount } from '../prefill/prefill.ts';
import { storedValue, validateValues } from '../prefill/validate-values.ts';
import { evaluateProcedures } from '../procedures/evaluate.ts';
import type {
  FieldValue,
  PrefilledForm,
  Submission,
  SubmissionInput,
  SubmissionRecord,
  WriteCount,
} from '../schemas/form.ts';
import { type Actor, type CounterDeps, loadContext, loadVisit, visitAuditEntry } from './actor.ts';

/**
 * Prefills the given forms of a visit (default: every form its procedures need) in one pass,
 * from the register, the 転出証明書, enrolments and the visit's accepted forms. With `audit`,
 * records the read of the prefilled fields under that action.
 */
export async function prefillForms(
  deps: CounterDeps,
  actor: Actor,
  visitId: string,
  options: { formIds?: string[]; audit?: string } = {},
) {
  const { mappings } = deps;
  const row = await loadVisit(deps, actor, visitId);
  const context = await loadContext(deps, actor, row);
  const { procedures } = evaluateProcedures(mappings.procedureRules, context);
  const accepted: AcceptedForm[] = (await deps.submissions.valuesForVisit(visitId)).reverse();
  const ids =
    options.formIds ??
    [...mappings.forms.values()]
      .filter((f) => procedures.some((p) => (f.procedures ?? [f.id]).includes(p.id)))
      .map((f) => f.id);
  const forms: PrefilledForm[] = ids.map((id) => {
    const form = mappings.forms.get(id);
    if (!form) throw new HubError('HUB_ERR_FORM_UNKNOWN', { formId: id });
    const delivery = { handoff: handoffOf(deps.targets, form), cp932: formWritesCp932(deps.targets, id) };
    return prefillForm(form, { visitId, context, procedures, accepted, delivery });
  });
  if (options.audit) {
    const fields = forms.flatMap((form) =>
      form.fields.filter((f) => f.state === 'prefilled').map((f) => `${form.formId}.${f.key}`),
    );
    await deps.audit.record(
      visitAuditEntry(actor, row.id, context.persons, options.audit, [...new Set(fields)]),
    );
  }
  return { row, context, procedures, forms };
}

/** What is left to write by hand; `consolidated` defaults to whether the visit signed one. */
export async function visitWriteCount(
  deps: CounterDeps,
  actor: Actor,
  visitId: string,
  options: { formIds?: string[]; consolidated?: boolean },
): Promise<WriteCount> {
  const { row, forms } = await prefillForms(deps, actor, visitId, {
    ...(options.formIds ? { formIds: options.formIds } : {}),
  });
  return writeCount(forms, { consolidated: options.consolidated ?? !!row.record.consolidated });
}

/**
 * Accepts a form of an open visit: the form must be among the visit's procedures or added by
 * staff; a field not given keeps its prefilled value; every value is checked against the form
 * (one 422 lists every wrong field). The submission and one outbox row per target are committed
 * together under the Idempotency-Key (the same key and body answer the first response again).
 */
export async function acceptSubmission(
  deps: CounterDeps,
  actor: Actor,
  visitId: string,
  idempotencyKey: string | undefined,
  input: SubmissionInput,
): Promise<{ status: number; body: Submission }> {
  const key = idempotencyKey?.trim();
  if (!key) throw new HubError('HUB_ERR_IDEMPOTENCY_REQUIRED');
  const { formId, values = {}, confirmedBy, signatures = [] } = input;
  const { row, context, procedures, forms } = await prefillForms(deps, actor, visitId, { formIds: [formId] });
  if (row.status !== 'open')
    throw new HubError('HUB_ERR_VISIT_CLOSED', { visitId: row.id, status: row.status });
  const form = forms[0]!;
  const definition = deps.mappings.forms.get(formId)!;
  const needed =
    procedures.some((p) => (definition.procedures ?? [definition.id]).includes(p.id)) ||
    (row.record.extraForms ?? []).some((x) => x.formId === formId);
  if (!needed) throw new HubError('HUB_ERR_FORM_NOT_NEEDED', { formId, visitId: row.id });
  const merged: Record<string, FieldValue> = {};
  for (const f of form.fields) {
    if (f.kind === 'signature') continue;
    const k = valueKey(f.key, f.person);
    merged[k] = storedValue(k in values ? values[k] : f.value, f.type);
  }
  const code = deps.config.municipalityCode;
  const gaiji = code ? deps.mappings.gaiji(code)?.reverse : undefined;
  const wrong = validateValues(form, values, merged, signatures, gaiji);
  if (wrong.length > 0) throw new HubError('HUB_ERR_FORM_VALUES', { formId, count: wrong.length }, wrong);
  const myNumbers = new Map(context.persons.map((p) => [p.id, (p.record as { myNumber?: string }).myNumber]));
  const targets = targetsForForm(deps.targets, formId);
  const response = await withIdempotency(
    deps.store.db,
    actor.viewer.client.id,
    key,
    { visitId: row.id, body: input },
    async (trx) => {
      // The submission and one outbox row per target are durable together before the answer.
      const id = newId('sub');
      const createdAt = new Date();
      const record: SubmissionRecord = {
        values: merged,
        confirmedBy,
        signatures,
        persons: context.persons.map((p) => {
          const myNumber = myNumbers.get(p.id);
          return { id: p.id, order: p.order, ...(myNumber ? { myNumber } : {}) };
        }),
        lifeEvent: context.lifeEvent,
        referenceDate: context.referenceDate,
        ...(context.certificate ? { certificateNumber: context.certificate.number } : {}),
      };
      await trx
        .insertInto('form_submissions')
        .values({
          id,
          visit_id: row.id,
          form_id: formId,
          record: JSON.stringify(record),
          created_at: createdAt,
        })
        .execute();
      const deliveries = targets.map((t) => ({
        id: newId('dlv'),
        submission_id: id,
        target: t.id,
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: createdAt,
        created_at: createdAt,
      }));
      if (deliveries.length > 0) await trx.insertInto('deliveries').values(deliveries).execute();
      const body: Submission = {
        id,
        visitId: row.id,
        formId,
        values: merged,
        confirmedBy,
        signatures,
        createdAt: createdAt.toISOString(),
        handoff: form.handoff,
        deliveries: deliveries.map((d) => ({ id: d.id, target: d.target, status: d.status, attempts: 0 })),
      };
      return { status: 202, body };
    },
  );
  await deps.audit.record(
    visitAuditEntry(
      actor,
      row.id,
      context.persons,
      'submissions.accept',
      [`${formId}:${Object.keys(merged).length}`],
      confirmedBy,
    ),
  );
  return { status: response.status, body: response.body as Submission };
}
