import { addDays, ageOn, isCompulsorySchoolAge, isHighSchoolAgeOrYounger } from './ages.ts';
import { prefectureOf, type VisitContext, type VisitPerson } from './context.ts';
import type { Condition, ProcedureRule } from './rules.ts';

export interface Procedure {
  id: string;
  formId?: string;
  title: string;
  reason: string;
  persons: string[];
  due?: { date: string; note: string };
  notes?: string[];
}

export interface Review {
  personId: string;
  rule: string;
  reason: string;
}

type Truth = boolean | 'unknown';

function and(values: Truth[]): Truth {
  if (values.includes(false)) return false;
  return values.includes('unknown') ? 'unknown' : true;
}
function or(values: Truth[]): Truth {
  if (values.includes(true)) return true;
  return values.includes('unknown') ? 'unknown' : false;
}

function test(c: Condition, ctx: VisitContext, p: VisitPerson | undefined): Truth {
  if ('all' in c) return and(c.all.map((x) => test(x, ctx, p)));
  if ('any' in c) return or(c.any.map((x) => test(x, ctx, p)));
  if ('not' in c) {
    const v = test(c.not, ctx, p);
    return v === 'unknown' ? v : !v;
  }
  if ('anyPerson' in c) return or(ctx.persons.map((x) => test(c.anyPerson, ctx, x)));
  if ('acrossPrefectures' in c) {
    const from = prefectureOf(ctx.certificate?.previousAddress?.full);
    const to = prefectureOf(ctx.certificate?.destination?.full);
    if (!from || !to) return 'unknown';
    return (from !== to) === c.acrossPrefectures;
  }
  if (!p) return 'unknown';
  if ('age' in c) {
    const age = ageOn(p.birthDate, ctx.referenceDate);
    if (age === undefined) return 'unknown';
    return (c.age.gte === undefined || age >= c.age.gte) && (c.age.lt === undefined || age < c.age.lt);
  }
  if ('highSchoolAgeOrYounger' in c) {
    const v = isHighSchoolAgeOrYounger(p.birthDate, ctx.referenceDate);
    return v === undefined ? 'unknown' : v === c.highSchoolAgeOrYounger;
  }
  if ('compulsorySchoolAge' in c) {
    const v = isCompulsorySchoolAge(p.birthDate, ctx.referenceDate);
    return v === undefined ? 'unknown' : v === c.compulsorySchoolAge;
  }
  if ('insuredBefore' in c) {
    const v = p.insuredBefore[c.insuredBefore];
    return v === undefined ? 'unknown' : v;
  }
  if ('enrolled' in c) return p.enrolments.some((e) => e.program === c.enrolled && e.status !== 'ended');
  if ('pensionKind' in c)
    return p.pensionKind === undefined ? 'unknown' : c.pensionKind.includes(p.pensionKind);
  return c.relationship.includes(p.relationship.codes[0] ?? '');
}

function fill(template: string, ctx: VisitContext, p?: VisitPerson): string {
  return template
    .replace(/\{name\}/g, p?.name.full ?? '')
    .replace(/\{age\}/g, p ? String(ageOn(p.birthDate, ctx.referenceDate) ?? '不詳') : '');
}

/**
 * The procedures a visit needs, from rules as data: each with the persons it is for and a
 * reason staff can read out. A rule that cannot be decided for a person (a 不詳 birth date, an
 * insurance status nobody sent) is listed under `review` instead of guessed.
 */
export function evaluateProcedures(
  rules: ProcedureRule[],
  ctx: VisitContext,
): { procedures: Procedure[]; review: Review[] } {
  const procedures: Procedure[] = [];
  const review: Review[] = [];
  for (const rule of rules) {
    if (!rule.events.includes(ctx.lifeEvent)) continue;
    const who: VisitPerson[] = [];
    let reason = rule.reason;
    if (rule.per === 'visit') {
      const v = rule.when ? test(rule.when, ctx, undefined) : true;
      if (v === 'unknown')
        review.push({ personId: '', rule: rule.id, reason: `${rule.title}: 判断に必要な情報がありません` });
      if (v !== true) continue;
      who.push(...ctx.persons);
    } else {
      for (const p of ctx.persons) {
        const v = rule.when ? test(rule.when, ctx, p) : true;
        if (v === 'unknown')
          review.push({
            personId: p.id,
            rule: rule.id,
            reason: `${p.name.full}: ${rule.title} の要否を確認してください`,
          });
        if (v === true) who.push(p);
      }
      if (who.length === 0) continue;
      reason = who
        .map((p) => fill(rule.reason, ctx, p))
        .filter((r, i, all) => all.indexOf(r) === i)
        .join(' / ');
    }
    const procedure: Procedure = { id: rule.id, title: rule.title, reason, persons: who.map((p) => p.id) };
    if (rule.formId) procedure.formId = rule.formId;
    if (rule.due) {
      const from =
        rule.due.from === 'plannedMoveOn'
          ? (ctx.certificate?.plannedMoveOn?.iso ?? ctx.referenceDate)
          : ctx.referenceDate;
      procedure.due = { date: addDays(from, rule.due.days), note: rule.due.note };
    }
    const notes = (rule.notes ?? [])
      .filter((n) => who.some((p) => test(n.when, ctx, p) === true))
      .map((n) => n.text);
    if (notes.length > 0) procedure.notes = notes;
    procedures.push(procedure);
  }
  return { procedures, review };
}
