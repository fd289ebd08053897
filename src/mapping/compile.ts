import type { ErrorCode } from '../errors.ts';
import { errorMessage } from '../errors.ts';
import {
  isPlausibleResidentCode,
  isValidLocalGovCode,
  isValidM11W27,
  isValidMyNumber,
} from '../normalize/check-digits.ts';
import { relationshipCodes, relationshipLabel } from '../normalize/relationship.ts';
import {
  eraByCode,
  eraContains,
  isoToWareki,
  isValidIsoDate,
  parseWareki,
  unknownDateLabel,
} from '../normalize/wareki.ts';
import { digitsToAscii, trimAll } from '../normalize/width.ts';
import type { HubDate } from '../schemas/common.ts';
import type { FieldSpec, MappingFile } from './schema.ts';
import { type CodeTable, type CompiledTransform, compileTransform, TransformError } from './transforms.ts';

export interface MappingProblem {
  /** The canonical path the problem is about. */
  target: string;
  /** The source field (column) the value came from. */
  field?: string;
  code: ErrorCode;
  message: string;
}

export type MappingResult =
  | { kind: 'record'; record: Record<string, unknown>; sources: Record<string, string> }
  | { kind: 'skip' }
  | { kind: 'reject'; problems: MappingProblem[] };

export interface CompiledMapping {
  adapter: string;
  entity: string;
  key: string[];
  /** Source fields that a file must have (they feed a required canonical field). */
  requiredFields: string[];
  /** Every source field the mapping reads. */
  usedFields: Set<string>;
  /** Source fields that feed `restrictions.*` (支援措置, 他業務参照不可). */
  restrictionFields: string[];
  apply(values: Record<string, string>): MappingResult;
}

interface CompiledField {
  target: string;
  path: string[];
  spec: FieldSpec;
  source?: string;
  transforms: CompiledTransform[];
}

const absent = Symbol('absent');
type Value = unknown | typeof absent;

/** Compiles a validated mapping file against the loaded code tables. */
export function compileMapping(file: MappingFile, tables: Map<string, CodeTable>): CompiledMapping {
  const fields: CompiledField[] = Object.entries(file.fields).map(([target, spec]) => {
    const source = spec.from ?? spec.fromAll?.[0] ?? spec.concat?.[0];
    return {
      target,
      path: target.split('.'),
      spec,
      ...(source ? { source } : {}),
      transforms: (spec.transforms ?? []).map((t) => compileTransform(t, tables)),
    };
  });
  const usedFields = new Set<string>();
  const requiredFields = new Set<string>();
  for (const f of fields) {
    const s = f.spec;
    for (const name of [s.from, ...(s.fromAll ?? []), ...(s.concat ?? []), s.unknownFlag, s.label, s.era]) {
      if (name) usedFields.add(name);
    }
    if (s.required && s.from && s.default === undefined) requiredFields.add(s.from);
  }
  if (file.when) usedFields.add(file.when.field);
  for (const name of file.ignore ?? []) usedFields.add(name);

  const when = file.when;
  return {
    adapter: file.adapter,
    entity: file.entity,
    key: file.key,
    requiredFields: [...requiredFields],
    usedFields,
    restrictionFields: fields.filter((f) => f.path[0] === 'restrictions' && f.source).map((f) => f.source!),
    apply(values) {
      if (when) {
        const v = values[when.field];
        if (v === undefined ? !(when.ifMissing ?? true) : trimAll(v) !== when.equals) return { kind: 'skip' };
      }
      const record: Record<string, unknown> = {};
      const sources: Record<string, string> = {};
      const problems: MappingProblem[] = [];
      const review = new Set<string>();
      for (const f of fields) {
        let value: Value;
        try {
          value = evaluate(f, values, review);
        } catch (e) {
          if (!(e instanceof TransformError)) throw e;
          problems.push(problem(f, e.code, { ...e.params, field: f.source ?? f.target }));
          continue;
        }
        if (value === absent && f.spec.default !== undefined) value = f.spec.default;
        if (value === absent) {
          if (f.spec.required) problems.push(problem(f, 'HUB_ERR_REQUIRED', { field: f.source ?? f.target }));
          continue;
        }
        setPath(record, f.path, value);
        if (f.source) sources[f.target] = f.source;
      }
      if (problems.length > 0) return { kind: 'reject', problems };
      if (review.size > 0) record.needsReview = [...review];
      if (file.extras) {
        const extras: Record<string, string> = {};
        for (const [k, v] of Object.entries(values)) {
          if (!usedFields.has(k) && trimAll(v) !== '') extras[k] = v;
        }
        if (Object.keys(extras).length > 0) record.extras = extras;
      }
      return { kind: 'record', record, sources };
    },
  };
}

function problem(f: CompiledField, code: ErrorCode, params: Record<string, unknown>): MappingProblem {
  return {
    target: f.target,
    ...(f.source ? { field: f.source } : {}),
    code,
    message: errorMessage(code, params),
  };
}

function runTransforms(f: CompiledField, raw: string | undefined): Value {
  if (raw === undefined) return absent;
  let v: string | boolean | number = raw;
  for (const t of f.transforms) {
    if (typeof v !== 'string') break;
    if (v === '') return absent;
    v = t(v);
  }
  if (v === '') return absent;
  return v;
}

function evaluate(f: CompiledField, values: Record<string, string>, review: Set<string>): Value {
  const s = f.spec;
  if (s.const !== undefined) return s.const;
  if (s.fromAll) {
    const list = s.fromAll.map((c) => runTransforms(f, values[c])).filter((v) => v !== absent);
    if (list.length === 0) return absent;
    if (s.as !== 'relationshipLabel') return list;
    const label = relationshipLabel(list.map(String));
    if ('error' in label)
      throw new TransformError('HUB_ERR_INVALID_CODE', { value: list.join(','), table: '続柄' });
    return label.label;
  }
  if (s.concat) {
    const parts = s.concat.map((c) => runTransforms(f, values[c])).filter((v) => v !== absent);
    return parts.length > 0 ? parts.join(s.separator ?? '') : absent;
  }
  if (s.as === 'date') return dateOf(s, values);
  const v = runTransforms(f, s.from ? values[s.from] : undefined);
  if (v === absent) return absent;
  if (s.checkDigit) checkDigit(s.checkDigit, String(v), f.target, review);
  switch (s.as) {
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (v === '1' || v === 'true') return true;
      if (v === '0' || v === 'false') return false;
      throw new TransformError('HUB_ERR_INVALID_FORMAT', { value: v, expected: '0 または 1' });
    case 'integer':
      if (typeof v === 'number') return v;
      if (/^\d+$/.test(String(v))) return Number(v);
      throw new TransformError('HUB_ERR_INVALID_FORMAT', { value: v, expected: '整数' });
    case 'yearMonth': {
      const m = /^(\d{4})[-/]?(\d{1,2})$/.exec(digitsToAscii(String(v)));
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) {
        throw new TransformError('HUB_ERR_INVALID_FORMAT', { value: v, expected: 'YYYY-MM' });
      }
      return `${m[1]}-${m[2]!.padStart(2, '0')}`;
    }
    case 'list': {
      const parts = String(v)
        .split(s.separator ?? ';')
        .map((x) => trimAll(x))
        .filter((x) => x !== '');
      return parts.length > 0 ? parts : absent;
    }
    case 'relationshipCodes': {
      const chain = relationshipCodes(String(v));
      if ('error' in chain) throw new TransformError('HUB_ERR_INVALID_CODE', { value: v, table: '続柄' });
      return chain.codes;
    }
    default:
      return v;
  }
}

const warnOnly = {
  m11w27: isValidM11W27,
  residentCode: isPlausibleResidentCode,
  localGov: isValidLocalGovCode,
};

/** 個人番号 is strict; the other check digits only flag the person for review. */
function checkDigit(
  kind: NonNullable<FieldSpec['checkDigit']>,
  v: string,
  target: string,
  review: Set<string>,
): void {
  if (kind === 'mynumber') {
    if (!isValidMyNumber(v)) throw new TransformError('HUB_ERR_CHECK_DIGIT', {});
    return;
  }
  if (!warnOnly[kind](v)) review.add(`CHECK_DIGIT:${target}`);
}

function cell(values: Record<string, string>, name: string | undefined): string {
  return name ? digitsToAscii(trimAll(values[name] ?? '')) : '';
}

/** Reads a HubDate: ISO (`YYYY-MM-DD`, `YYYY/M/D`, `YYYYMMDD`) or 和暦 text, with 不詳 and era check. */
function dateOf(s: FieldSpec, values: Record<string, string>): Value {
  const v = cell(values, s.from);
  const unknown = cell(values, s.unknownFlag) === '1';
  const label = s.label ? trimAll(values[s.label] ?? '') : '';
  const allZero = /^0+$/.test(v);
  // 不詳日 as text (「昭和45年月日不詳」「令和2年頃」「推定…」, 標準仕様書 1.1.8) keep their wording.
  const unknownText = /不詳|頃|推定|上旬|中旬|下旬/.test(v);
  if (unknown || allZero || unknownText || (v === '' && label !== '')) {
    // 住民記録システム標準仕様書 1.1.8: a 不詳 date is kept as given, never completed by guess.
    const d: HubDate = { iso: null, unknown: true };
    const derived = label || (unknownText ? v : unknownDateLabel(v));
    if (derived) d.label = derived;
    if (v) d.source = v;
    return d;
  }
  if (v === '') return absent;
  let iso: string | undefined;
  let sourceEra: number | undefined;
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(v) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(v);
  if (m) {
    iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
    if (!isValidIsoDate(iso)) {
      if (s.allowNonCalendar && plausibleDay(Number(m[2]), Number(m[3]))) {
        return { iso: null, unknown: false, nonCalendar: true, source: v } satisfies HubDate;
      }
      throw new TransformError('HUB_ERR_INVALID_DATE', { value: v });
    }
  } else {
    const w = parseWareki(v);
    if ('error' in w) {
      if (w.error === 'lunisolar')
        return { iso: null, unknown: false, lunisolar: true, source: v } satisfies HubDate;
      if (w.error === 'invalid' && s.allowNonCalendar && plausibleDay(w.month, w.day) && w.year >= 1) {
        return { iso: null, unknown: false, nonCalendar: true, source: v } satisfies HubDate;
      }
      throw new TransformError('HUB_ERR_INVALID_DATE', { value: v });
    }
    iso = w.iso;
    sourceEra = w.era;
  }
  const eraText = cell(values, s.era);
  let eraCode: number | undefined = sourceEra;
  if (eraText !== '') {
    eraCode = Number(eraText);
    const era = eraByCode(eraCode);
    if (!era) throw new TransformError('HUB_ERR_INVALID_CODE', { value: eraText, table: 'era' });
    if (!eraContains(era, iso)) throw new TransformError('HUB_ERR_ERA_MISMATCH', { era: eraText, value: v });
  }
  const d: HubDate = { iso, unknown: false };
  const w = isoToWareki(iso, eraCode);
  if (w) d.wareki = w.text;
  if (v !== iso) d.source = v;
  return d;
}

/** The non-calendar day the standard names: 「うるう年でない年の２月29日」. */
function plausibleDay(month: number, day: number): boolean {
  return month === 2 && day === 29;
}

function setPath(target: Record<string, unknown>, parts: string[], value: unknown): void {
  let node = target;
  for (const p of parts.slice(0, -1)) {
    if (typeof node[p] !== 'object' || node[p] === null) node[p] = {};
    node = node[p] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = value;
}
