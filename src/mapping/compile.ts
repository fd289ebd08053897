import { createHash } from 'node:crypto';
import type { ErrorCode } from '../errors.ts';
import { errorMessage } from '../errors.ts';
import {
  isPlausibleResidentCode,
  isValidLocalGovCode,
  isValidM11W27,
  isValidMyNumber,
} from '../normalize/check-digits.ts';
import { DATE_FORMATS_EXPECTED, eraSpelling, readDateText, todayInJapan } from '../normalize/date-text.ts';
import { relationshipCodes, relationshipLabel } from '../normalize/relationship.ts';
import { eraByCode, eraContains, isoToWareki, unknownDateLabel } from '../normalize/wareki.ts';
import { digitsToAscii, trimAll } from '../normalize/width.ts';
import type { HubDate } from '../schemas/common.ts';
import { type ColumnContract, columnContract } from './column-contract.ts';
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
  /** Which columns a file must, may and may not have, and how its names are matched. */
  columns: ColumnContract;
  /**
   * SHA-256 of the mapping and the code tables it uses: the same bytes read through a changed
   * mapping are not the same state, so the file registry re-applies them.
   */
  fingerprint: string;
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
  for (const name of file.required ?? []) requiredFields.add(name);
  const columns = columnContract([...usedFields, ...(file.keep ?? [])], requiredFields, file.aliases);
  const tableNames = [...new Set(fields.flatMap((f) => (f.spec.transforms ?? []).flatMap(tableOf)))].sort();
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ file, tables: tableNames.map((t) => tables.get(t) ?? null) }))
    .digest('hex');

  const when = file.when;
  return {
    adapter: file.adapter,
    entity: file.entity,
    key: file.key,
    requiredFields: [...requiredFields],
    usedFields,
    columns,
    fingerprint,
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
      checkRelationship(record, review);
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

function tableOf(t: NonNullable<FieldSpec['transforms']>[number]): string[] {
  return typeof t === 'object' && 'code' in t ? [t.code] : [];
}

function problem(f: CompiledField, code: ErrorCode, params: Record<string, unknown>): MappingProblem {
  return {
    target: f.target,
    ...(f.source ? { field: f.source } : {}),
    code,
    message: errorMessage(code, params),
  };
}

function runTransforms(f: CompiledField, raw: string | undefined, review: Set<string>): Value {
  if (raw === undefined) return absent;
  let v: string | boolean | number = raw;
  const flag = (code: string) => review.add(`${code}:${f.target}`);
  for (const t of f.transforms) {
    if (typeof v !== 'string') break;
    if (v === '') return absent;
    v = t(v, flag);
  }
  if (v === '') return absent;
  return v;
}

function evaluate(f: CompiledField, values: Record<string, string>, review: Set<string>): Value {
  const s = f.spec;
  if (s.const !== undefined) return s.const;
  if (s.fromAll) {
    const list = s.fromAll.map((c) => runTransforms(f, values[c], review)).filter((v) => v !== absent);
    if (list.length === 0) return absent;
    if (s.as !== 'relationshipLabel') return list;
    const label = relationshipLabel(list.map(String));
    if ('error' in label)
      throw new TransformError('HUB_ERR_INVALID_CODE', { value: list.join(','), table: '続柄' });
    return label.label;
  }
  if (s.concat) {
    const parts = s.concat.map((c) => runTransforms(f, values[c], review)).filter((v) => v !== absent);
    return parts.length > 0 ? parts.join(s.separator ?? '') : absent;
  }
  if (s.as === 'date') return dateOf(s, values);
  const v = runTransforms(f, s.from ? values[s.from] : undefined, review);
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

/**
 * Reads a HubDate from any spelling `readDateText` knows, with 不詳 and the era column. The 和暦
 * shown is always the era in force on that day (the new era on an overlap day); the source's
 * spelling is kept in `source`.
 */
function dateOf(s: FieldSpec, values: Record<string, string>): Value {
  const raw = s.from ? trimAll(values[s.from] ?? '') : '';
  const v = digitsToAscii(raw);
  const unknown = cell(values, s.unknownFlag) === '1';
  const label = s.label ? trimAll(values[s.label] ?? '') : '';
  const allZero = /^0+$/.test(v);
  // 不詳日 as text (「昭和45年月日不詳」「令和2年頃」「推定…」, 標準仕様書 1.1.8) keep their wording.
  const unknownText = /不詳|頃|推定|上旬|中旬|下旬/.test(v);
  if (unknown || allZero || unknownText || (v === '' && label !== '')) {
    // 住民記録システム標準仕様書 1.1.8: a 不詳 date is kept as given, never completed by guess.
    const d: HubDate = { iso: null, unknown: true };
    const derived = label || (unknownText ? v : unknownDateLabel(v.replace(/^0(?=[0-5]\d{6}$)/, '')));
    if (derived) d.label = derived;
    if (v) d.source = v;
    return d;
  }
  if (v === '') return absent;
  const reading = readDateText(v, { excelSerial: s.excelSerial === true });
  switch (reading.kind) {
    case 'format':
      throw new TransformError('HUB_ERR_DATE_FORMAT', { value: raw, expected: DATE_FORMATS_EXPECTED });
    case 'time':
      throw new TransformError('HUB_ERR_DATE_TIME', { value: raw });
    case 'too-early':
      throw new TransformError('HUB_ERR_IMPLAUSIBLE_DATE', {
        value: raw,
        reason:
          '明治元年（1868年）より前の西暦日付です。旧暦の日付は和暦で、わからない日付は不詳として送ってください',
      });
    case 'lunisolar':
      return { iso: null, unknown: false, lunisolar: true, source: raw } satisfies HubDate;
    case 'invalid':
      if (s.allowNonCalendar && plausibleDay(reading.month, reading.day) && (reading.eraYear ?? 1) >= 1) {
        return { iso: null, unknown: false, nonCalendar: true, source: raw } satisfies HubDate;
      }
      throw new TransformError('HUB_ERR_INVALID_DATE', { value: raw });
  }
  const iso = reading.iso;
  if (s.notAfterToday && iso > todayInJapan()) {
    throw new TransformError('HUB_ERR_IMPLAUSIBLE_DATE', { value: raw, reason: '今日より後の日付です' });
  }
  const eraText = cell(values, s.era);
  let sourceEra = reading.era;
  if (eraText !== '') {
    sourceEra = Number(eraText);
    const era = eraByCode(sourceEra);
    if (!era) throw new TransformError('HUB_ERR_INVALID_CODE', { value: eraText, table: '元号' });
    if (!eraContains(era, iso))
      throw new TransformError('HUB_ERR_ERA_MISMATCH', { era: eraText, value: raw });
  }
  const d: HubDate = { iso, unknown: false };
  // juki-reference §5: western → 和暦 emits the new era on an overlap day (1912-07-30, 1926-12-25).
  const w = isoToWareki(iso);
  if (w) d.wareki = w.text;
  if (raw !== iso) d.source = raw;
  else if (sourceEra !== undefined && w && w.era.code !== sourceEra) d.source = eraSpelling(iso, sourceEra);
  return d;
}

/**
 * 続柄コード and 続柄表記 of one row must say the same thing (標準仕様書 §1.1.11). Both are kept
 * as the source wrote them; a disagreement or a label the grammar cannot read flags the person.
 */
function checkRelationship(record: Record<string, unknown>, review: Set<string>): void {
  const rel = record.relationship as { codes?: unknown; label?: unknown } | undefined;
  if (!rel || !Array.isArray(rel.codes) || typeof rel.label !== 'string') return;
  const parsed = relationshipCodes(rel.label);
  if ('error' in parsed) review.add('RELATIONSHIP_LABEL_UNREAD');
  else if (parsed.codes.join(',') !== rel.codes.join(',')) review.add('RELATIONSHIP_MISMATCH');
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
