import type { TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import type { Kysely } from 'kysely';
import { errorMessage, InputError } from '../errors.ts';
import type { MappingCatalog } from '../mapping/catalog.ts';
import type { CompiledMapping, MappingProblem, MappingResult, Row, RowPlan } from '../mapping/compile.ts';
import { resolveGaiji } from '../mapping/gaiji.ts';
import { findUnstorable, scrubUnstorable } from '../normalize/storable-text.ts';
import type { ImportCounts, ImportWarning } from '../schemas/import-run.ts';
import type { ReadItem } from '../sdk/adapter.ts';
import { insertRejects, type RejectInput } from '../store/imports-repo.ts';
import type { Database } from '../store/types.ts';
import { sourceOfKey } from './source-of-key.ts';

/** What a run needs to know to place a reject: the fields (columns) of the file, in order. */
export interface MapState {
  /** The file's columns in order, each by the mapping's name when the mapping knows it. */
  fields: string[];
  mode: 'full' | 'delta';
  encoding?: string;
  encodingDetected?: boolean;
  /** File columns read under the mapping's name (another spelling, an alias). */
  renamed: Map<string, string>;
  /** The file's columns as the mapping names them, to spot fields a reader adds per record. */
  known: Set<string>;
  /** Fail the run on a column the mapping does not know, instead of warning. */
  strictColumns: boolean;
  warnings: ImportWarning[];
  /** The sources whose state this run writes (`<entity>/<key without its last part>`). */
  sources: Set<string>;
}

/**
 * Takes the reader's `meta` and applies the mapping's column contract: a file that lacks a
 * required column, or has one column twice under two spellings, fails naming it; a column that
 * is neither read, kept nor declared ignored is a run warning (a failure when strict).
 */
export function takeMeta(
  item: Extract<ReadItem, { kind: 'meta' }>,
  mapping: CompiledMapping,
  state: MapState,
): void {
  state.mode = item.mode;
  state.encoding = item.encoding;
  state.encodingDetected = item.encodingDetected;
  const plan = mapping.columns.plan(item.fields);
  state.fields = plan.names;
  state.renamed = plan.renamed;
  state.known = new Set(plan.names);
  const conflict = plan.conflicts[0];
  if (conflict) {
    throw new InputError(
      'HUB_ERR_DUPLICATE_COLUMN',
      { line: 1, column: item.fields.indexOf(conflict.column) + 1, field: conflict.column },
      { column: `${conflict.other}」と「${conflict.column}` },
    );
  }
  if (plan.missing.length > 0) {
    throw new InputError(
      'HUB_ERR_MISSING_COLUMN',
      { line: 1, field: plan.missing[0]! },
      { column: plan.missing.join('」「') },
    );
  }
  for (const name of plan.unknown) unknownColumn(state, name, item.fields.indexOf(name) + 1);
}

function unknownColumn(state: MapState, name: string, column: number | undefined): void {
  if (state.warnings.some((w) => w.code === 'HUB_ERR_UNKNOWN_COLUMN' && w.field === name)) return;
  if (state.strictColumns) {
    throw new InputError(
      'HUB_ERR_UNKNOWN_COLUMN',
      { line: 1, ...(column ? { column } : {}), field: name },
      { column: name },
    );
  }
  state.warnings.push({
    code: 'HUB_ERR_UNKNOWN_COLUMN',
    ...(column ? { column } : {}),
    field: name,
    message: errorMessage('HUB_ERR_UNKNOWN_COLUMN', { column: name }),
  });
}

/**
 * A record's values under the mapping's column names. A field the header did not announce
 * (an XML person with an element the first one lacked) goes through the contract here.
 */
function valuesOf(
  item: Extract<ReadItem, { kind: 'record' }>,
  mapping: CompiledMapping,
  state: MapState,
): Record<string, string> {
  const names = Object.keys(item.values);
  if (state.renamed.size === 0 && names.length === state.fields.length) return item.values;
  const values: Record<string, string> = {};
  for (const name of names) {
    let as = state.renamed.get(name) ?? name;
    if (!state.known.has(as)) {
      const plan = mapping.columns.plan([name]);
      as = plan.names[0]!;
      state.known.add(as);
      if (as !== name) state.renamed.set(name, as);
      else if (plan.unknown.length > 0) unknownColumn(state, name, undefined);
    }
    values[as] = item.values[name]!;
  }
  return values;
}

/** What every import path tracks of the run it writes. */
export interface RunProgress extends MapState {
  id: string;
  adapter: string;
  file: string;
  asOf: string;
  counts: ImportCounts;
  /** Rejects kept in memory, to be stored again after a failed run's rollback. */
  keptRejects: RejectInput[];
}

/** Rejects of a failed run are kept in memory up to this many, to be stored after the rollback. */
export const FAILED_RUN_REJECTS_KEPT = 1000;

/**
 * Counts and gathers the rejects of a run and writes them in batches inside its transaction;
 * the first ones are also kept for a run that fails and rolls back.
 */
export function rejectCollector(trx: Kysely<Database>, run: RunProgress) {
  let pending: RejectInput[] = [];
  return {
    add(r: RejectInput): void {
      run.counts.rejected++;
      pending.push(r);
      if (run.keptRejects.length < FAILED_RUN_REJECTS_KEPT) run.keptRejects.push(r);
    },
    get pending(): number {
      return pending.length;
    },
    async flush(): Promise<void> {
      await insertRejects(trx, run.id, pending);
      pending = [];
    },
  };
}

export type Mapped =
  | { kind: 'record'; record: Record<string, unknown>; sources: Record<string, string> }
  | { kind: 'skip' }
  | { kind: 'reject'; reject: RejectInput };

/** Provenance names the columns as the file spelled them (転入前_都道府県, not the mapping's name). */
function asWritten(state: MapState, sources: Record<string, string>): Record<string, string> {
  if (state.renamed.size === 0) return sources;
  // The mapping shares one frozen provenance map between rows with the same fields: so can this.
  let cache = writtenMaps.get(state);
  if (!cache || cache.renamed !== state.renamed || cache.renamedSize !== state.renamed.size) {
    cache = {
      renamed: state.renamed,
      renamedSize: state.renamed.size,
      written: new Map([...state.renamed].map(([file, as]) => [as, file])),
      out: new WeakMap(),
    };
    writtenMaps.set(state, cache);
  }
  const known = Object.isFrozen(sources) ? cache.out.get(sources) : undefined;
  if (known) return known;
  const out: Record<string, string> = {};
  for (const [target, column] of Object.entries(sources)) out[target] = cache.written.get(column) ?? column;
  if (Object.isFrozen(sources)) cache.out.set(sources, Object.freeze(out));
  return out;
}

const writtenMaps = new WeakMap<
  MapState,
  {
    renamed: Map<string, string>;
    renamedSize: number;
    written: Map<string, string>;
    out: WeakMap<Record<string, string>, Record<string, string>>;
  }
>();

function columnOf(state: MapState, field: string | undefined): number | undefined {
  if (!field) return undefined;
  const i = state.fields.indexOf(field);
  return i === -1 ? undefined : i + 1;
}

/**
 * One raw record through its mapping, the municipality's 外字 table and the canonical schema.
 * A problem becomes a reject naming the source field and its column.
 */
/** True when a row's restriction columns hold anything but blanks and zeros (read leniently: a reject is not mapped). */
function restrictionFlagged(values: Record<string, string>, mapping: CompiledMapping): boolean {
  return mapping.restrictionFields.some((f) => /[^\s0０]/.test(values[f] ?? ''));
}

export function mapItem(
  item: Extract<ReadItem, { kind: 'record' }>,
  mapping: CompiledMapping,
  check: TypeCheck<TSchema>,
  state: MapState,
  mappings: MappingCatalog,
): Mapped {
  const fast = fastRow(item, mapping, state);
  let values: Record<string, string> | undefined;
  let pua: boolean;
  if (fast) {
    // Nothing suspect in any value (the usual case): no per-value walk for NUL, surrogates or 外字.
    if (fast.suspect) {
      const unstorable = unstorableValue(item, state);
      if (unstorable) return unstorable;
    }
    pua = fast.suspect || mapping.introducesPua;
  } else {
    const unstorable = unstorableValue(item, state);
    if (unstorable) return unstorable;
    values = valuesOf(item, mapping, state);
    pua = true;
  }
  // A record walked for 外字 or for a schema error is built in field order, which decides the
  // order of what those walks find (as it always did).
  let result = mapOnce(mapping, fast, values, pua);
  if (result.kind === 'skip') return result;
  if (result.kind === 'reject') return rejectOf(item, mapping, state, result.problems);
  if (pua) resolveRecordGaiji(result.record, state.encoding === 'cp932' ? mappings : undefined);
  if (check.Check(result.record)) {
    state.sources.add(sourceOf(mapping, result.record));
    return { kind: 'record', record: result.record, sources: asWritten(state, result.sources) };
  }
  if (!pua) result = mapOnce(mapping, fast, values, true);
  if (result.kind !== 'record') throw new Error('a row mapped twice gave two answers');
  const e = check.Errors(result.record).First()!;
  const target = e.path.slice(1).replace(/\//g, '.');
  const field = Object.entries(result.sources).find(
    ([t]) => target === t || target.startsWith(`${t}.`) || t.startsWith(`${target}.`),
  )?.[1];
  const column = columnOf(state, field);
  return {
    kind: 'reject',
    reject: {
      line: item.line,
      ...(column !== undefined ? { column } : {}),
      field: field ?? target,
      code: 'HUB_ERR_SCHEMA',
      message: errorMessage('HUB_ERR_SCHEMA', { field: field ?? target, message: e.message }),
      raw: item.raw,
    },
  };
}

function mapOnce(
  mapping: CompiledMapping,
  fast: FastRow | undefined,
  values: Record<string, string> | undefined,
  fieldOrder: boolean,
): MappingResult {
  return fast ? mapping.applyRow(fast.row, fast.plan, fieldOrder) : mapping.apply(values!, fieldOrder);
}

function rejectOf(
  item: Extract<ReadItem, { kind: 'record' }>,
  mapping: CompiledMapping,
  state: MapState,
  problems: MappingProblem[],
): Mapped {
  const [first, ...more] = problems;
  const column = columnOf(state, first!.field);
  const values = valuesOf(item, mapping, state);
  return {
    kind: 'reject',
    reject: {
      line: item.line,
      ...(column !== undefined ? { column } : {}),
      ...(first!.field ? { field: first!.field } : {}),
      code: first!.code,
      message: [first!.message, ...more.map((p) => p.message)].join(' / '),
      raw: item.raw,
      ...(restrictionFlagged(values, mapping) ? { restricted: true } : {}),
    },
  };
}

/** The file's columns as a reader keys a record (renamed ones by the file's spelling), checked once. */
interface FilePlan {
  /** `state.fields` this was made for (a new file, or a header seen again, makes a new one). */
  fields: string[];
  renamedSize: number;
  /** The record keys expected, in order. */
  keys: string[];
  plan: RowPlan;
  /** A column name itself holds an unstorable character: every row takes the careful path. */
  unstorableName: boolean;
  /** The row array, reused from record to record (the mapping keeps none of it). */
  row: Row;
}

const filePlans = new WeakMap<MapState, FilePlan>();

interface FastRow {
  row: Row;
  plan: RowPlan;
  /** A value holds NUL, a surrogate or PUA: worth the exact checks. */
  suspect: boolean;
}

function filePlanOf(mapping: CompiledMapping, state: MapState): FilePlan {
  const known = filePlans.get(state);
  if (known && known.fields === state.fields && known.renamedSize === state.renamed.size) return known;
  const written = new Map([...state.renamed].map(([file, as]) => [as, file]));
  const keys = state.fields.map((as) => written.get(as) ?? as);
  const made: FilePlan = {
    fields: state.fields,
    renamedSize: state.renamed.size,
    keys,
    plan: mapping.planRow(state.fields),
    unstorableName: keys.some((k) => findUnstorable(k) !== undefined),
    row: new Array(keys.length + 1).fill(undefined),
  };
  filePlans.set(state, made);
  return made;
}

/**
 * A record whose keys are exactly the file's header (what a header-zipping reader yields) read
 * in one pass into the row the compiled mapping takes, noting whether any value holds a
 * character that needs a closer look: NUL, a surrogate (paired or not), or CP932 外字 (PUA).
 * Undefined when the record has other keys: it takes the general path.
 */
function fastRow(
  item: Extract<ReadItem, { kind: 'record' }>,
  mapping: CompiledMapping,
  state: MapState,
): FastRow | undefined {
  const fp = filePlanOf(mapping, state);
  const keys = fp.keys;
  const names = Object.keys(item.values);
  if (names.length !== keys.length || fp.unstorableName) return undefined;
  const values = item.values;
  const row = fp.row;
  let suspect = false;
  for (let i = 0; i < names.length; i++) {
    const k = names[i]!;
    if (k !== keys[i]) return undefined;
    const v = values[k]!;
    row[i] = v;
    if (!suspect) {
      for (let j = 0; j < v.length; j++) {
        const c = v.charCodeAt(j);
        if (c === 0 || (c >= 0xd800 && c <= 0xdfff) || (c >= 0xe000 && c <= 0xe757)) {
          suspect = true;
          break;
        }
      }
    }
  }
  return { row, plan: fp.plan, suspect };
}

/** A raw value with NUL or a lone surrogate is a reject of its row, never a database error. */
function unstorableValue(item: Extract<ReadItem, { kind: 'record' }>, state: MapState): Mapped | undefined {
  for (const [field, value] of Object.entries(item.values)) {
    const found = findUnstorable(value) ?? findUnstorable(field);
    if (!found) continue;
    const column = columnOf(state, field);
    const name = scrubUnstorable(field);
    return {
      kind: 'reject',
      reject: {
        line: item.line,
        ...(column !== undefined ? { column } : {}),
        field: name,
        code: 'HUB_ERR_INVALID_CHARACTER',
        message: errorMessage('HUB_ERR_INVALID_CHARACTER', { field: name, what: found.what }),
        raw: item.raw,
      },
    };
  }
  return undefined;
}

/**
 * 外字 (PUA) in a mapped record: resolved through the municipality's table where the input was
 * CP932 (the table is keyed by CP932 code); an unmapped one stays as its PUA code point and the
 * person is flagged UNMAPPED_GAIJI.
 */
function resolveRecordGaiji(record: Record<string, unknown>, mappings: MappingCatalog | undefined): void {
  const code = typeof record.municipalityCode === 'string' ? record.municipalityCode : '';
  const found = resolveGaiji(record, mappings?.gaiji(code));
  if (found.length === 0) return;
  record.gaiji = found;
  if (found.some((g) => g.unicode === undefined)) {
    const review = new Set((record.needsReview as string[] | undefined) ?? []);
    review.add('UNMAPPED_GAIJI');
    record.needsReview = [...review];
  }
}

/**
 * The source a record belongs to: its entity and its key without the last part (person →
 * 市区町村コード, enrolment → program, 転出証明書 person → issuing code and number). The file
 * registry compares runs by these.
 */
export function sourceOf(mapping: CompiledMapping, record: Record<string, unknown>): string {
  return sourceOfKey(mapping.entity, keyOf(mapping, record));
}

/** The key of a mapped record: its key fields joined with `:`. */
export function keyOf(mapping: CompiledMapping, record: Record<string, unknown>): string {
  return mapping.key
    .map((k) =>
      String(
        k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown> | undefined)?.[p], record) ?? '',
      ),
    )
    .join(':');
}
