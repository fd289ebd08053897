import { Value } from '@sinclair/typebox/value';
import type { VisitContext, VisitPerson } from '../procedures/context.ts';
import type { Procedure } from '../procedures/evaluate.ts';
import { HubDate } from '../schemas/common.ts';
import type {
  CategoryCount,
  FieldValue,
  FormCount,
  Handoff,
  PrefilledField,
  PrefilledForm,
  ValueSource,
  WriteCount,
} from '../schemas/form.ts';
import type { FormField, FormFile } from './forms.ts';

export type { PrefilledField, PrefilledForm, WriteCount };

export interface AcceptedForm {
  id: string;
  formId: string;
  values: Record<string, unknown>;
}

export interface PrefillInput {
  visitId: string;
  context: VisitContext;
  procedures: Procedure[];
  /** Earlier accepted forms of the same visit, newest first. */
  accepted: AcceptedForm[];
  /** Where the form goes: its targets (and whether one writes CP932), or paper. */
  delivery: { handoff: Handoff; cp932: boolean };
}

/** The key of a confirmed value: `<field key>`, or `<field key>@<person id>` for a per-person field. */
export function valueKey(key: string, personId?: string): string {
  return personId ? `${key}@${personId}` : key;
}

function getPath(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], value);
}

const empty = (v: unknown) =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

function headOf(ctx: VisitContext): VisitPerson | undefined {
  return ctx.persons.find((p) => p.relationship.codes[0] === '02') ?? ctx.persons[0];
}

function spouseOf(ctx: VisitContext): VisitPerson | undefined {
  return ctx.persons.find(
    (p) =>
      ['11', '12', '13', '14'].includes(p.relationship.codes[0] ?? '') && p.relationship.codes.length === 1,
  );
}

function personSource(p: VisitPerson, expression: string): ValueSource {
  return { kind: p.source === 'resident' ? 'register' : 'certificate', ...p.provenance, expression };
}

/** One source expression for one field (and person); undefined when it yields nothing. */
function resolve(
  expr: string,
  input: PrefillInput,
  person: VisitPerson | undefined,
  key: string,
): { value: FieldValue; source: ValueSource } | undefined {
  const ctx = input.context;
  if (expr.startsWith('const:'))
    return { value: expr.slice(6), source: { kind: 'constant', expression: expr } };
  const [root, ...rest] = expr.split('.');
  const path = rest.join('.');
  let value: unknown;
  let source: ValueSource | undefined;
  if (root === 'person' || root === 'head' || root === 'spouse') {
    const p = root === 'person' ? person : root === 'head' ? headOf(ctx) : spouseOf(ctx);
    if (!p) return undefined;
    value = getPath(p.record, path);
    source = personSource(p, expr);
  } else if (root === 'certificate') {
    if (!ctx.certificate) return undefined;
    value = getPath(ctx.certificate.record, path);
    const prov = (ctx.certificate.record as { provenance?: ValueSource }).provenance;
    source = { kind: 'certificate', ...(prov ?? {}), expression: expr };
  } else if (root === 'visit') {
    value = path === 'referenceDate' ? ctx.referenceDate : path === 'lifeEvent' ? ctx.lifeEvent : undefined;
    source = { kind: 'visit', expression: expr };
  } else if (root === 'enrolment') {
    const [program, ...inner] = rest;
    const e = person?.enrolments.find((x) => x.program === program && x.status !== 'ended');
    if (!e) return undefined;
    value = getPath(e, inner.join('.'));
    source = { kind: 'enrolment', ...e.provenance, expression: expr };
  } else if (root === 'form') {
    const [formId, ...keyParts] = rest;
    const fieldKey = keyParts.join('.') || key;
    const form = input.accepted.find((f) => f.formId === formId);
    if (!form) return undefined;
    value = person
      ? (form.values[valueKey(fieldKey, person.id)] ?? form.values[fieldKey])
      : form.values[fieldKey];
    source = { kind: 'form', formId: form.formId, submissionId: form.id, expression: expr };
  }
  const typed = asFieldValue(value);
  if (typed === null || !source) return undefined;
  return { value: typed, source };
}

/** A source value as a form value: text or a HubDate; numbers become text, anything else nothing. */
function asFieldValue(value: unknown): FieldValue {
  if (empty(value)) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (Value.Check(HubDate, value)) return value;
  return null;
}

/** A choice prefilled from a code the source system uses (口座種別 1 → 普通). */
function asChoice(f: FormField, value: FieldValue): FieldValue {
  if (f.type !== 'choice' || typeof value !== 'string' || f.choices?.includes(value)) return value;
  const label = Object.entries(f.codes ?? {}).find(([, code]) => code === value)?.[0];
  return label ?? value;
}

/**
 * Fills a form for a visit: every field gets the first source that has a value, with where
 * it came from; a field with none is left for the resident (`input`); a signature stays a
 * signature. Per-person fields repeat for every person (or every person the form's
 * procedure is for).
 */
export function prefillForm(form: FormFile, input: PrefillInput): PrefilledForm {
  const ctx = input.context;
  const procedurePersons = new Set(
    input.procedures.filter((p) => (form.procedures ?? [form.id]).includes(p.id)).flatMap((p) => p.persons),
  );
  const fields: PrefilledField[] = [];
  for (const f of form.fields) {
    const persons: (VisitPerson | undefined)[] =
      f.repeat === 'person'
        ? ctx.persons
        : f.repeat === 'procedure-person'
          ? ctx.persons.filter((p) => procedurePersons.has(p.id))
          : [undefined];
    for (const p of persons) {
      const base = {
        key: f.key,
        label: f.label,
        category: f.category,
        kind: f.kind,
        type: f.type,
        required: f.required ?? false,
        ...(f.minLength !== undefined ? { minLength: f.minLength } : {}),
        ...(f.maxLength !== undefined ? { maxLength: f.maxLength } : {}),
        ...(f.choices ? { choices: f.choices } : {}),
        cp932: input.delivery.cp932,
        ...(p ? { person: p.id } : {}),
      };
      if (f.kind === 'signature') {
        fields.push({ ...base, value: null, state: 'signature' });
        continue;
      }
      // An accepted value of this very form wins: it is what the resident confirmed.
      const exprs = [
        `form.${form.id}.${f.key}`,
        ...(f.source === undefined ? [] : Array.isArray(f.source) ? f.source : [f.source]),
      ];
      let found: ReturnType<typeof resolve>;
      for (const e of exprs) {
        found = resolve(e, input, p, f.key);
        if (found) break;
      }
      fields.push(
        found
          ? { ...base, value: asChoice(f, found.value), state: 'prefilled', source: found.source }
          : { ...base, value: null, state: 'input' },
      );
    }
  }
  return {
    formId: form.id,
    visitId: input.visitId,
    title: form.title,
    ...(form.signatureGroup ? { signatureGroup: form.signatureGroup } : {}),
    handoff: input.delivery.handoff,
    fields,
  };
}

const zero = (): CategoryCount => ({ prefilled: 0, input: 0, signature: 0 });

/** The signature group of every form signed on the consolidated application (まとめて申請書). */
export const CONSOLIDATED_GROUP = 'consolidated';

/**
 * What is left to write by hand, per form and in total, and the same with nothing prefilled.
 * A signature counts as a 氏名 entry; forms of one `signatureGroup` are signed once; with the
 * consolidated application every form is signed once, together (the baseline stays per form).
 */
export function writeCount(forms: PrefilledForm[], options: { consolidated?: boolean } = {}): WriteCount {
  const consolidated = options.consolidated ?? false;
  const count = (blank: boolean) => {
    const signed = new Set<string>();
    const out: FormCount[] = [];
    for (const form of forms) {
      const c: FormCount = {
        formId: form.formId,
        ...(form.signatureGroup ? { signatureGroup: form.signatureGroup } : {}),
        ...zero(),
        byCategory: {},
      };
      for (const field of form.fields) {
        const state: keyof CategoryCount = blank && field.state === 'prefilled' ? 'input' : field.state;
        if (state === 'signature') {
          const group = consolidated && !blank ? CONSOLIDATED_GROUP : (form.signatureGroup ?? form.formId);
          const id = `${group}@${field.person ?? ''}`;
          if (signed.has(id)) continue;
          signed.add(id);
        }
        const category = field.kind === 'signature' ? 'name' : field.category;
        c[state]++;
        c.byCategory[category] ??= zero();
        c.byCategory[category]![state]++;
      }
      out.push(c);
    }
    const total = { ...zero(), byCategory: {} as Record<string, CategoryCount> };
    for (const c of out) {
      for (const k of ['prefilled', 'input', 'signature'] as const) total[k] += c[k];
      for (const [cat, v] of Object.entries(c.byCategory)) {
        total.byCategory[cat] ??= zero();
        for (const k of ['prefilled', 'input', 'signature'] as const) total.byCategory[cat]![k] += v[k];
      }
    }
    return { forms: out, total };
  };
  const after = count(false);
  return { consolidated, forms: after.forms, total: after.total, baseline: count(true) };
}
