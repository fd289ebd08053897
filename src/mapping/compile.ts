import { createHash } from 'node:crypto';
import type { ErrorCode } from '../errors.ts';
import { errorMessage } from '../errors.ts';
import {
  isPlausibleResidentCode,
  isValidLocalGovCode,
  isValidM11W27,
  isValidMyNumber,
} from '../normalize/check-digits.ts';
import {
  DATE_FORMATS_EXPECTED,
  type DateReading,
  eraSpelling,
  readDateText,
  todayInJapan,
} from '../normalize/date-text.ts';
import { BoundedMemo } from '../normalize/memo.ts';
import { relationshipCodes, relationshipLabel } from '../normalize/relationship.ts';
import { eraByCode, eraContains, isoToWareki, unknownDateLabel } from '../normalize/wareki.ts';
import { digitsToAscii, hasNonSpace, trimAll } from '../normalize/width.ts';
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
  /** True when the mapping's own constants or code tables hold CP932 外字 (PUA) text. */
  introducesPua: boolean;
  /** The plan of a file's columns (by the mapping's names, in row order); cached per column list. */
  planRow(names: readonly string[]): RowPlan;
  /**
   * Maps one row of a planned file: the hot path of an import. The record's keys are in
   * canonical (code unit) order, or with `fieldOrder` in the order the fields set them (as the
   * engine always did: a walk over the record, such as 外字 resolution, meets them in that order).
   */
  applyRow(row: Row, plan: RowPlan, fieldOrder?: boolean): MappingResult;
  /** Maps one record given by column name (see `applyRow` for `fieldOrder`). */
  apply(values: Record<string, string>, fieldOrder?: boolean): MappingResult;
}

/**
 * The columns of one file as the mapping reads them: a row is the file's values in column order
 * with one `undefined` after the last (what a column the file lacks reads as).
 */
export interface RowPlan {
  /** The file's columns in row order, by the mapping's name. */
  names: readonly string[];
  /** For each column the mapping reads (its slot), its index in the row; `names.length` when absent. */
  slots: Int32Array;
  /** Row indices of the columns the mapping does not read (candidates for `extras`), in row order. */
  extras: Int32Array;
  /** The same, in code unit order of their names. */
  extrasSorted: Int32Array;
}

/** A row: the values in the plan's column order, then `undefined`. */
export type Row = (string | undefined)[];

interface CompiledField {
  target: string;
  path: string[];
  spec: FieldSpec;
  source?: string;
  /** The field's value from a row (absent when it has none); throws a TransformError. */
  evaluate: (row: Row, slots: Int32Array) => Value;
}

const absent = Symbol('absent');
type Value = unknown | typeof absent;

/** Compiles a validated mapping file against the loaded code tables. */
export function compileMapping(file: MappingFile, tables: Map<string, CodeTable>): CompiledMapping {
  // Every source column the fields read gets a slot number, resolved to a row index per file.
  const slotNames: string[] = [];
  const slotOf = (name: string): number => {
    let i = slotNames.indexOf(name);
    if (i === -1) i = slotNames.push(name) - 1;
    return i;
  };
  // The review flags of the row being mapped: `apply` is synchronous and sets it per row.
  let review: Set<string> | undefined;
  const flagRow = (flag: string) => {
    review ??= new Set();
    review.add(flag);
  };
  const fields: CompiledField[] = Object.entries(file.fields).map(([target, spec]) => {
    const source = spec.from ?? spec.fromAll?.[0] ?? spec.concat?.[0];
    return {
      target,
      path: target.split('.'),
      spec,
      ...(source ? { source } : {}),
      evaluate: compileEvaluator(target, spec, tables, slotOf, flagRow),
    };
  });
  const whenSlot = file.when ? slotOf(file.when.field) : -1;
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
  const fingerprintText = JSON.stringify({ file, tables: tableNames.map((t) => tables.get(t) ?? null) });
  const fingerprint = createHash('sha256').update(fingerprintText).digest('hex');
  // Constants and code tables are the only text a mapping adds besides the row's own values.
  const introducesPua = PUA.test(fingerprintText);

  // Plans by the file's column names; a run reads one file, so one or two are ever in use.
  const plans = new Map<string, RowPlan>();
  const planOf = (names: readonly string[]): RowPlan => {
    const key = names.join('\u0000');
    let plan = plans.get(key);
    if (plan) return plan;
    const at = new Map<string, number>();
    names.forEach((n, i) => {
      if (!at.has(n)) at.set(n, i);
    });
    const extras: number[] = [];
    for (let i = 0; i < names.length; i++) if (!usedFields.has(names[i]!)) extras.push(i);
    const sorted = [...extras].sort((a, b) => byCodeUnits(names[a]!, names[b]!));
    plan = {
      names: [...names],
      slots: Int32Array.from(slotNames, (n) => at.get(n) ?? names.length),
      extras: Int32Array.from(extras),
      extrasSorted: Int32Array.from(sorted),
    };
    if (plans.size >= 16) plans.clear();
    plans.set(key, plan);
    return plan;
  };

  // The record is built with its keys in code unit order at every level (the order of its
  // canonical JSON), unless one target nests in another.
  const layout = layoutOf(fields.map((f) => f.path));
  const build = layout && builderOf(layout);
  const relCodes = fields.findIndex((f) => f.target === 'relationship.codes');
  const relLabel = fields.findIndex((f) => f.target === 'relationship.label');

  const scratch: unknown[] = new Array(fields.length).fill(undefined);
  // Which fields with a source column have a value, as bits in 32-bit words: rows with the same
  // ones share one frozen provenance map, found through one Map per word.
  const nWords = Math.ceil(fields.length / 32) || 1;
  const present = new Int32Array(nWords);
  const sourcesCache = new Map<number, unknown>();
  let cached = 0;
  const sourcesOf = (vals: unknown[]): Record<string, string> => {
    let node: Map<number, unknown> = sourcesCache;
    for (let w = 0; w < nWords - 1; w++) {
      let next = node.get(present[w]!) as Map<number, unknown> | undefined;
      if (!next) {
        next = new Map();
        node.set(present[w]!, next);
      }
      node = next;
    }
    const known = node.get(present[nWords - 1]!) as Record<string, string> | undefined;
    if (known) return known;
    const sources: Record<string, string> = {};
    for (let j = 0; j < fields.length; j++) {
      const f = fields[j]!;
      if (f.source && vals[j] !== undefined) sources[f.target] = f.source;
    }
    if (++cached > 4096) {
      sourcesCache.clear();
      cached = 0;
    }
    node.set(present[nWords - 1]!, Object.freeze(sources));
    return sources;
  };

  const when = file.when;
  const whenMissing = when?.ifMissing ?? true;
  const nFields = fields.length;
  const applyRow = (row: Row, plan: RowPlan, fieldOrder = false): MappingResult => {
    const slots = plan.slots;
    if (when) {
      const v = row[slots[whenSlot]!];
      if (v === undefined ? !whenMissing : trimAll(v) !== when.equals) return { kind: 'skip' };
    }
    const problems: MappingProblem[] = [];
    // The value of each field (undefined when absent), in field order; the array is reused.
    const vals = scratch;
    present.fill(0);
    review = undefined;
    // One try around the loop, re-entered after a field's TransformError.
    let i = 0;
    while (i < nFields) {
      let f = fields[i]!;
      try {
        for (; i < nFields; i++) {
          f = fields[i]!;
          let value = f.evaluate(row, slots);
          if (value === absent && f.spec.default !== undefined) value = f.spec.default;
          if (value === absent) {
            vals[i] = undefined;
            if (f.spec.required)
              problems.push(problem(f, 'HUB_ERR_REQUIRED', { field: f.source ?? f.target }));
            continue;
          }
          vals[i] = value;
          if (f.source) present[i >> 5]! |= 1 << (i & 31);
        }
      } catch (e) {
        if (!(e instanceof TransformError)) throw e;
        problems.push(problem(f, e.code, { ...e.params, field: f.source ?? f.target }));
        vals[i] = undefined;
        i++;
      }
    }
    if (problems.length > 0) return { kind: 'reject', problems };
    const sources = sourcesOf(vals);
    if (!layout || fieldOrder) {
      // In field order; always for a mapping whose targets nest into one another.
      const record: Record<string, unknown> = {};
      for (let j = 0; j < nFields; j++) if (vals[j] !== undefined) setPath(record, fields[j]!.path, vals[j]);
      checkRelationship(record, flagRow);
      if (review) record.needsReview = [...review];
      review = undefined;
      const extras = file.extras ? extrasOf(row, plan, plan.extras) : undefined;
      if (extras) record.extras = extras;
      return { kind: 'record', record, sources };
    }
    checkRelationshipOf(
      relCodes < 0 ? undefined : vals[relCodes],
      relLabel < 0 ? undefined : vals[relLabel],
      flagRow,
    );
    const needsReview = review ? [...review] : undefined;
    review = undefined;
    const extras = file.extras ? extrasOf(row, plan, plan.extrasSorted) : undefined;
    const record = build!(vals, extras, needsReview) ?? {};
    return { kind: 'record', record, sources };
  };

  return {
    adapter: file.adapter,
    entity: file.entity,
    key: file.key,
    requiredFields: [...requiredFields],
    usedFields,
    columns,
    fingerprint,
    introducesPua,
    restrictionFields: fields.filter((f) => f.path[0] === 'restrictions' && f.source).map((f) => f.source!),
    planRow: planOf,
    applyRow,
    apply(values, fieldOrder) {
      const names = Object.keys(values);
      const row: Row = [];
      for (const n of names) row.push(values[n]);
      row.push(undefined);
      return applyRow(row, planOf(names), fieldOrder);
    },
  };
}

/** The non-blank values of the columns at `at` (row indices), under their names. */
function extrasOf(row: Row, plan: RowPlan, at: Int32Array): Record<string, string> | undefined {
  let extras: Record<string, string> | undefined;
  for (let j = 0; j < at.length; j++) {
    const k = at[j]!;
    const v = row[k]!;
    if (v === '' || !hasNonSpace(v)) continue;
    if (!extras) extras = {};
    extras[plan.names[k]!] = v;
  }
  return extras;
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A node of a record's layout: a field's value (`field`), a branch of nested keys, or one of
 * the keys the engine adds (`extras`, `needsReview`).
 */
interface LayoutNode {
  key: string;
  field: number;
  children?: LayoutNode[];
  special?: 'extras' | 'needsReview';
}

/**
 * The tree of target paths with each level's keys in code unit order, `extras` and
 * `needsReview` among the top-level ones; undefined when a target is another's prefix (or one
 * of those two), where the record is built field by field instead.
 */
function layoutOf(paths: string[][]): LayoutNode[] | undefined {
  const root: LayoutNode[] = [];
  for (const [field, path] of paths.entries()) {
    let level = root;
    for (let d = 0; d < path.length; d++) {
      const key = path[d]!;
      const leaf = d === path.length - 1;
      let node = level.find((n) => n.key === key);
      if (node) {
        if (leaf || !node.children) return undefined;
      } else {
        node = leaf ? { key, field } : { key, field: -1, children: [] };
        level.push(node);
      }
      if (!leaf) level = node.children!;
    }
  }
  for (const special of ['extras', 'needsReview'] as const) {
    if (root.some((n) => n.key === special)) return undefined;
    root.push({ key: special, field: -1, special });
  }
  const sort = (level: LayoutNode[]) => {
    level.sort((a, b) => byCodeUnits(a.key, b.key));
    for (const n of level) if (n.children) sort(n.children);
  };
  sort(root);
  return root;
}

type Builder = (
  vals: unknown[],
  extras: Record<string, string> | undefined,
  needsReview: string[] | undefined,
) => Record<string, unknown> | undefined;

/**
 * The layout as straight-line code: each key a constant property store in a fixed order, so
 * records of one mapping share their hidden classes; an object is made only when something under
 * it has a value. Keys are written as JSON string literals; nothing of a row becomes code.
 */
function builderOf(layout: LayoutNode[]): Builder {
  const lines: string[] = ['let v;'];
  let objects = 0;
  const emit = (level: LayoutNode[], obj: string) => {
    lines.push(`let ${obj};`);
    for (const n of level) {
      const key = JSON.stringify(n.key);
      if (n.children) {
        const child = `o${++objects}`;
        emit(n.children, child);
        lines.push(`v = ${child};`);
      } else if (n.special === 'extras') lines.push('v = extras;');
      else if (n.special === 'needsReview') lines.push('v = needsReview;');
      else lines.push(`v = vals[${n.field}];`);
      lines.push(`if (v !== undefined) { if (${obj} === undefined) ${obj} = {}; ${obj}[${key}] = v; }`);
    }
  };
  emit(layout, 'o0');
  lines.push('return o0;');
  return new Function('vals', 'extras', 'needsReview', lines.join('\n')) as Builder;
}

/** CP932 外字 as decoded: the user-defined area F040–F9FC in the Private Use Area. */
const PUA = /[\ue000-\ue757]/;

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

type Flag = (flag: string) => void;
type Slots = Int32Array;

/** A field's transforms as one function of a raw value: absent for a missing or emptied value. */
function compileChain(
  transforms: CompiledTransform[],
  flag: (code: string) => void,
): (raw: string | undefined) => Value {
  const n = transforms.length;
  if (n === 0) return (raw) => (raw === undefined || raw === '' ? absent : raw);
  if (n === 1 && transforms[0] === trimAll) {
    return (raw) => {
      if (raw === undefined || raw === '') return absent;
      const v = trimAll(raw);
      return v === '' ? absent : v;
    };
  }
  return (raw) => {
    if (raw === undefined || raw === '') return absent;
    let v: string | boolean | number = raw;
    for (let i = 0; i < n; i++) {
      if (typeof v !== 'string') break;
      if (v === '') return absent;
      v = transforms[i]!(v, flag);
    }
    return v === '' ? absent : v;
  };
}

/**
 * One field compiled to a function of a row: its columns resolved to slots, its transforms to
 * one chain, its kind (`const`, `fromAll`, `concat`, `date`, `as`) chosen once.
 */
function compileEvaluator(
  target: string,
  s: FieldSpec,
  tables: Map<string, CodeTable>,
  slotOf: (name: string) => number,
  flagRow: Flag,
): (row: Row, slots: Slots) => Value {
  if (s.const !== undefined) {
    const c = s.const;
    return () => c;
  }
  const flag = (code: string) => flagRow(`${code}:${target}`);
  const chain = compileChain(
    (s.transforms ?? []).map((t) => compileTransform(t, tables)),
    flag,
  );
  if (s.fromAll) {
    const at = s.fromAll.map(slotOf);
    const asLabel = s.as === 'relationshipLabel';
    return (row, slots) => {
      const list: unknown[] = [];
      for (const a of at) {
        const v = chain(row[slots[a]!]);
        if (v !== absent) list.push(v);
      }
      if (list.length === 0) return absent;
      if (!asLabel) return list;
      const label = relationshipLabel(list.map(String));
      if ('error' in label)
        throw new TransformError('HUB_ERR_INVALID_CODE', { value: list.join(','), table: '続柄' });
      return label.label;
    };
  }
  if (s.concat) {
    const at = s.concat.map(slotOf);
    const separator = s.separator ?? '';
    return (row, slots) => {
      const parts: unknown[] = [];
      for (const a of at) {
        const v = chain(row[slots[a]!]);
        if (v !== absent) parts.push(v);
      }
      return parts.length > 0 ? parts.join(separator) : absent;
    };
  }
  if (s.as === 'date') return compileDate(s, slotOf);
  if (!s.from) return () => absent;
  const from = slotOf(s.from);
  const kind = s.checkDigit;
  const as = s.as;
  const separator = s.separator ?? ';';
  return (row, slots) => {
    const v = chain(row[slots[from]!]);
    if (v === absent) return absent;
    if (kind) checkDigit(kind, String(v), target, flagRow);
    switch (as) {
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
          .split(separator)
          .map((x) => trimAll(x))
          .filter((x) => x !== '');
        return parts.length > 0 ? parts : absent;
      }
      case 'relationshipCodes': {
        const chain = relationshipCodesOf(String(v));
        if ('error' in chain) throw new TransformError('HUB_ERR_INVALID_CODE', { value: v, table: '続柄' });
        return [...chain.codes];
      }
      default:
        return v;
    }
  };
}

const warnOnly = {
  m11w27: isValidM11W27,
  residentCode: isPlausibleResidentCode,
  localGov: isValidLocalGovCode,
};

/** 個人番号 is strict; the other check digits only flag the person for review. */
function checkDigit(kind: NonNullable<FieldSpec['checkDigit']>, v: string, target: string, flag: Flag): void {
  if (kind === 'mynumber') {
    if (!isValidMyNumber(v)) throw new TransformError('HUB_ERR_CHECK_DIGIT', {});
    return;
  }
  if (!warnOnly[kind](v)) flag(`CHECK_DIGIT:${target}`);
}

function cell(row: Row, slots: Slots, slot: number): string {
  return slot < 0 ? '' : digitsToAscii(trimAll(row[slots[slot]!] ?? ''));
}

/** Readings of date texts and 和暦 of days: both repeat a lot in a file (birth dates, 異動日). */
const dateReadings = new BoundedMemo<DateReading>(50_000);
const excelReadings = new BoundedMemo<DateReading>(10_000);
const warekiTexts = new BoundedMemo<{ text: string; era: number } | null>(50_000);

function readDateCached(v: string, excelSerial: boolean): DateReading {
  const memo = excelSerial ? excelReadings : dateReadings;
  let r = memo.get(v);
  if (r === undefined) {
    r = readDateText(v, { excelSerial });
    memo.set(v, r);
  }
  return r;
}

function warekiOf(iso: string): { text: string; era: number } | null {
  let w = warekiTexts.get(iso);
  if (w === undefined) {
    const found = isoToWareki(iso);
    w = found ? { text: found.text, era: found.era.code } : null;
    warekiTexts.set(iso, w);
  }
  return w;
}

/** Today in Japan, recomputed only when the clock leaves the day it was computed for. */
let todayIso = '';
let todayFrom = 0;
let todayUntil = 0;
function today(): string {
  const now = Date.now();
  if (now < todayFrom || now >= todayUntil) {
    todayIso = todayInJapan(new Date(now));
    todayFrom = Date.parse(`${todayIso}T00:00:00+09:00`);
    todayUntil = todayFrom + 86_400_000;
  }
  return todayIso;
}

const UNKNOWN_TEXT = /不詳|頃|推定|上旬|中旬|下旬/;

/**
 * Reads a HubDate from any spelling `readDateText` knows, with 不詳 and the era column. The 和暦
 * shown is always the era in force on that day (the new era on an overlap day); the source's
 * spelling is kept in `source`.
 */
function compileDate(s: FieldSpec, slotOf: (name: string) => number): (row: Row, slots: Slots) => Value {
  const from = s.from ? slotOf(s.from) : -1;
  const unknownFlag = s.unknownFlag ? slotOf(s.unknownFlag) : -1;
  const labelAt = s.label ? slotOf(s.label) : -1;
  const eraAt = s.era ? slotOf(s.era) : -1;
  const excelSerial = s.excelSerial === true;
  const notAfterToday = s.notAfterToday === true;
  const allowNonCalendar = s.allowNonCalendar === true;
  return (row, slots) => {
    const raw = from < 0 ? '' : trimAll(row[slots[from]!] ?? '');
    const v = digitsToAscii(raw);
    const unknown = cell(row, slots, unknownFlag) === '1';
    const label = labelAt < 0 ? '' : trimAll(row[slots[labelAt]!] ?? '');
    if (v === '' && label === '' && !unknown) return absent;
    const allZero = v !== '' && /^0+$/.test(v);
    // 不詳日 as text (「昭和45年月日不詳」「令和2年頃」「推定…」, 標準仕様書 1.1.8) keep their wording.
    const unknownText = UNKNOWN_TEXT.test(v);
    if (unknown || allZero || unknownText || (v === '' && label !== '')) {
      // 住民記録システム標準仕様書 1.1.8: a 不詳 date is kept as given, never completed by guess.
      // (Each HubDate is built with its keys in code unit order, the order of its JSON.)
      const derived = label || (unknownText ? v : unknownDateLabel(v.replace(/^0(?=[0-5]\d{6}$)/, '')));
      if (derived) {
        return v
          ? ({ iso: null, label: derived, source: v, unknown: true } satisfies HubDate)
          : ({ iso: null, label: derived, unknown: true } satisfies HubDate);
      }
      return v
        ? ({ iso: null, source: v, unknown: true } satisfies HubDate)
        : ({ iso: null, unknown: true } satisfies HubDate);
    }
    const reading = readDateCached(v, excelSerial);
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
        return { iso: null, lunisolar: true, source: raw, unknown: false } satisfies HubDate;
      case 'invalid':
        if (allowNonCalendar && plausibleDay(reading.month, reading.day) && (reading.eraYear ?? 1) >= 1) {
          return { iso: null, nonCalendar: true, source: raw, unknown: false } satisfies HubDate;
        }
        throw new TransformError('HUB_ERR_INVALID_DATE', { value: raw });
    }
    const iso = reading.iso;
    if (notAfterToday && iso > today()) {
      throw new TransformError('HUB_ERR_IMPLAUSIBLE_DATE', { value: raw, reason: '今日より後の日付です' });
    }
    const eraText = cell(row, slots, eraAt);
    let sourceEra = reading.era;
    if (eraText !== '') {
      sourceEra = Number(eraText);
      const era = eraByCode(sourceEra);
      if (!era) throw new TransformError('HUB_ERR_INVALID_CODE', { value: eraText, table: '元号' });
      if (!eraContains(era, iso))
        throw new TransformError('HUB_ERR_ERA_MISMATCH', { era: eraText, value: raw });
    }
    // juki-reference §5: western → 和暦 emits the new era on an overlap day (1912-07-30, 1926-12-25).
    const w = warekiOf(iso);
    // `source` is present (even as undefined, when eraSpelling has none) exactly when it was before.
    const hasSource = raw !== iso || (sourceEra !== undefined && w !== null && w.era !== sourceEra);
    if (!hasSource)
      return w ? ({ iso, unknown: false, wareki: w.text } satisfies HubDate) : { iso, unknown: false };
    const source = raw !== iso ? raw : eraSpelling(iso, sourceEra!);
    const d = { iso, source, unknown: false } as HubDate;
    if (w) d.wareki = w.text;
    return d;
  };
}

/** 続柄 labels repeat in every household: their reading is kept (read only, never handed out). */
const relationshipReadings = new BoundedMemo<ReturnType<typeof relationshipCodes>>(10_000);
function relationshipCodesOf(label: string): ReturnType<typeof relationshipCodes> {
  let r = relationshipReadings.get(label);
  if (r === undefined) {
    r = relationshipCodes(label);
    relationshipReadings.set(label, r);
  }
  return r;
}

/**
 * 続柄コード and 続柄表記 of one row must say the same thing (標準仕様書 §1.1.11). Both are kept
 * as the source wrote them; a disagreement or a label the grammar cannot read flags the person.
 */
function checkRelationship(record: Record<string, unknown>, flag: Flag): void {
  const rel = record.relationship as { codes?: unknown; label?: unknown } | undefined;
  if (rel) checkRelationshipOf(rel.codes, rel.label, flag);
}

function checkRelationshipOf(codes: unknown, label: unknown, flag: Flag): void {
  if (!Array.isArray(codes) || typeof label !== 'string') return;
  const parsed = relationshipCodesOf(label);
  if ('error' in parsed) flag('RELATIONSHIP_LABEL_UNREAD');
  else if (!sameCodes(parsed.codes, codes)) flag('RELATIONSHIP_MISMATCH');
}

/** `a.join(',') === b.join(',')` without building either. */
function sameCodes(a: readonly string[], b: readonly unknown[]): boolean {
  if (a.length === b.length) {
    let same = true;
    for (let i = 0; i < a.length && same; i++) same = typeof b[i] === 'string' && a[i] === b[i];
    if (same) return true;
  }
  return a.join(',') === b.join(',');
}

/** The non-calendar day the standard names: 「うるう年でない年の２月29日」. */
function plausibleDay(month: number, day: number): boolean {
  return month === 2 && day === 29;
}

function setPath(target: Record<string, unknown>, parts: string[], value: unknown): void {
  let node = target;
  const last = parts.length - 1;
  for (let i = 0; i < last; i++) {
    const p = parts[i]!;
    const next = node[p];
    if (typeof next !== 'object' || next === null) node = node[p] = {};
    else node = next as Record<string, unknown>;
  }
  node[parts[last]!] = value;
}
