import type { FormFile } from '../prefill/forms.ts';
import type { Procedure } from '../procedures/evaluate.ts';
import type { ExtraForm, VisitProgress } from '../schemas/visit.ts';

/**
 * What a visit has accepted and what is still due, per 手続ナビ procedure: a procedure whose
 * form has an accepted submission is `accepted`, one with a form not yet accepted is `due`, one
 * without a hub form (転入学, 印鑑登録 without its form…) is `no-form`. Forms staff added come last.
 */
export function visitProgress(
  visit: { id: string; status: VisitProgress['status']; extraForms: ExtraForm[] },
  procedures: Procedure[],
  forms: Map<string, FormFile>,
  submissions: { id: string; formId: string }[],
): VisitProgress {
  const formOf = (p: Procedure) =>
    [...forms.values()].find((f) => (f.procedures ?? [f.id]).includes(p.id))?.id ?? p.formId;
  const accepted = (formId: string) => submissions.filter((s) => s.formId === formId).map((s) => s.id);
  const items: VisitProgress['items'] = procedures.map((p) => {
    const formId = formOf(p);
    const ids = formId ? accepted(formId) : [];
    return {
      procedureId: p.id,
      title: p.title,
      ...(formId ? { formId } : {}),
      persons: p.persons,
      ...(p.due ? { due: p.due } : {}),
      state: !formId ? 'no-form' : ids.length > 0 ? 'accepted' : 'due',
      submissionIds: ids,
    };
  });
  for (const x of visit.extraForms) {
    if (items.some((i) => i.formId === x.formId)) continue;
    const ids = accepted(x.formId);
    items.push({
      title: forms.get(x.formId)?.title ?? x.formId,
      formId: x.formId,
      persons: [],
      state: ids.length > 0 ? 'accepted' : 'due',
      submissionIds: ids,
    });
  }
  const count = (s: string) => items.filter((i) => i.state === s).length;
  return {
    visitId: visit.id,
    status: visit.status,
    items,
    totals: { accepted: count('accepted'), due: count('due'), noForm: count('no-form') },
  };
}
