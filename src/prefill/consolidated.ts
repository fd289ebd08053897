import type { VisitPerson } from '../procedures/context.ts';
import type { ConsolidatedApplication, ConsolidatedSignature } from '../schemas/consolidated.ts';
import type { FieldValue, Handoff } from '../schemas/form.ts';
import type { FormFile } from './forms.ts';

/**
 * 「まとめて申請書」 of a visit: the newest accepted submission of each form, its values under
 * the form's labels (signatures left out: one signature covers the document), in the order the
 * forms were first accepted.
 */
export function consolidatedApplication(input: {
  visitId: string;
  referenceDate: string;
  persons: VisitPerson[];
  /** Accepted submissions, oldest first. */
  submissions: { id: string; formId: string; values: Record<string, FieldValue> }[];
  forms: Map<string, FormFile>;
  handoff: (form: FormFile) => Handoff;
  signature?: ConsolidatedSignature;
}): ConsolidatedApplication {
  const newest = new Map<string, (typeof input.submissions)[number]>();
  for (const s of input.submissions) {
    newest.delete(s.formId);
    newest.set(s.formId, s);
  }
  const sections = [...newest.values()].flatMap((s) => {
    const form = input.forms.get(s.formId);
    if (!form) return [];
    const fields = form.fields
      .filter((f) => f.type !== 'signature')
      .flatMap((f) =>
        Object.entries(s.values)
          .filter(([k]) => k === f.key || k.startsWith(`${f.key}@`))
          .map(([k, value]) => {
            const person = k.includes('@') ? k.slice(k.indexOf('@') + 1) : undefined;
            return { key: f.key, label: f.label, ...(person ? { person } : {}), value };
          }),
      );
    return [{ formId: form.id, title: form.title, submissionId: s.id, handoff: input.handoff(form), fields }];
  });
  return {
    visitId: input.visitId,
    title: 'まとめて申請書',
    referenceDate: input.referenceDate,
    persons: input.persons.map((p) => ({ id: p.id, order: p.order, name: p.name.full })),
    sections,
    signature: input.signature ?? null,
  };
}
