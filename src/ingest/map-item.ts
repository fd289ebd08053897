import type { TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import type { Transaction } from 'kysely';
import { errorMessage, InputError } from '../errors.ts';
import type { MappingCatalog } from '../mapping/catalog.ts';
import type { CompiledMapping } from '../mapping/compile.ts';
import { resolveGaiji } from '../mapping/gaiji.ts';
import type { ImportCounts } from '../schemas/import-run.ts';
import type { ReadItem } from '../sdk/adapter.ts';
import { insertRejects, type RejectInput } from '../store/imports-repo.ts';
import type { Database } from '../store/types.ts';

/** What a run needs to know to place a reject: the fields (columns) of the file, in order. */
export interface MapState {
  fields: string[];
  mode: 'full' | 'delta';
  encoding?: string;
  encodingDetected?: boolean;
}

/** Takes the reader's `meta`: remembers the fields and fails a file that lacks a required one. */
export function takeMeta(
  item: Extract<ReadItem, { kind: 'meta' }>,
  mapping: CompiledMapping,
  state: MapState,
): void {
  state.fields = item.fields;
  state.mode = item.mode;
  state.encoding = item.encoding;
  state.encodingDetected = item.encodingDetected;
  for (const name of mapping.requiredFields) {
    if (!item.fields.includes(name))
      throw new InputError('HUB_ERR_MISSING_COLUMN', { line: 1, field: name }, { column: name });
  }
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
export function rejectCollector(trx: Transaction<Database>, run: RunProgress) {
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
  const result = mapping.apply(item.values);
  if (result.kind === 'skip') return result;
  if (result.kind === 'reject') {
    const [first, ...more] = result.problems;
    const column = columnOf(state, first!.field);
    return {
      kind: 'reject',
      reject: {
        line: item.line,
        ...(column !== undefined ? { column } : {}),
        ...(first!.field ? { field: first!.field } : {}),
        code: first!.code,
        message: [first!.message, ...more.map((p) => p.message)].join(' / '),
        raw: item.raw,
        ...(restrictionFlagged(item.values, mapping) ? { restricted: true } : {}),
        ...(restrictionFlagged(item.values, mapping) ? { restricted: true } : {}),
      },
    };
  }
  resolveRecordGaiji(result.record, state.encoding === 'cp932' ? mappings : undefined);
  if (check.Check(result.record)) return { kind: 'record', record: result.record, sources: result.sources };
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
