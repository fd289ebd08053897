import { createHash } from 'node:crypto';
import type { TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import { errorMessage } from '../errors.ts';
import { newId } from '../ids.ts';
import type { MappingCatalog } from '../mapping/catalog.ts';
import type { CompiledMapping } from '../mapping/compile.ts';
import type { PersonRecord } from '../schemas/person.ts';
import type { ReadItem } from '../sdk/adapter.ts';
import { copyText } from '../store/copy-into.ts';
import type { RejectInput } from '../store/imports-repo.ts';
import { KeyLines } from './key-lines.ts';
import { keyOf, type MapState, mapItem, takeMeta } from './map-item.ts';
import { ProvenanceMaps } from './provenance-maps.ts';
import { sha256Hex, stableStringify } from './record-hash.ts';
import { personSearchKeys } from './search-keys.ts';
import { sourceOfKey } from './source-of-key.ts';

export type RecordItem = Extract<ReadItem, { kind: 'record' }>;

/** A stored person whose raw row is the same as a row of this file. */
export interface KnownRow {
  source_key: string;
  municipality_code: string;
}

/** What staging a batch gives the database: COPY text, new column maps, rejects. */
export interface StagedBatch {
  /** Rows in COPY text format for `import_staging` (`STAGING_COLUMNS`), each ending in a newline. */
  text: string;
  maps: { id: string; columns: Record<string, string> }[];
  rejects: RejectInput[];
}

/** Counters of a person run that the staging keeps (the run's `ImportCounts` and more). */
export interface StagerProgress extends MapState {
  id: string;
  counts: { read: number; skipped: number; rejected: number; unchanged: number };
  /** Rejects whose key could not be read: their persons cannot be told apart from missing ones. */
  keylessRejects: number;
}

/** Where staged batches go: the database (in the hub thread) or the hub (from a worker thread). */
export interface StagingSink {
  lookup(hashes: string[]): Promise<ReadonlyMap<string, KnownRow>>;
  write(batch: StagedBatch): Promise<void>;
}

/** Adds the time since `started` to a phase of the run. */
export function lap(phases: Record<string, number>, phase: string, started: number): void {
  phases[phase] = Math.round((phases[phase] ?? 0) + performance.now() - started);
}

export const STAGING_COLUMNS = [
  'import_id',
  'line',
  'source_key',
  'person_id',
  'municipality_code',
  'atena_no',
  'household_id',
  'household_order',
  'resident_code',
  'status',
  'kana_key',
  'name_key',
  'kana_exact',
  'name_exact',
  'address_key',
  'birth_iso',
  'restricted',
  'record',
  'record_hash',
  'raw_hash',
  'provenance_map',
] as const;

/** After the third column (`source_key`): every other staging column null, for a row seen unchanged. */
const SEEN_ONLY_TAIL = '\t\\N'.repeat(STAGING_COLUMNS.length - 3);

/**
 * The database-free part of staging a person file, batch by batch: raw-row hashes, mapping,
 * duplicate keys (a reject naming the first line), COPY text. It runs where the file is read:
 * in the import's worker thread, or in the hub's own thread.
 */
export class PersonStager {
  /** Digest of what else an unchanged row needs to be the same (hashed once, 32 bytes a row). */
  private rawSeed: Buffer = Buffer.alloc(0);
  private readonly firstLine = new KeyLines();
  private readonly maps = new ProvenanceMaps();
  /** 市区町村コード of the accepted rows: the scope of the missing-persons update. */
  readonly codes = new Set<string>();
  /** Rows mapped and staged (their merge decides inserted / updated / unchanged). */
  mapped = 0;

  constructor(
    private readonly mapping: CompiledMapping,
    private readonly check: TypeCheck<TSchema>,
    private readonly mappings: MappingCatalog,
    private readonly state: StagerProgress,
    private readonly mappingFingerprint: string,
  ) {}

  meta(item: Extract<ReadItem, { kind: 'meta' }>): void {
    takeMeta(item, this.mapping, this.state);
    // An unchanged raw row means an unchanged person only under the same mapping, header and encoding.
    this.rawSeed = createHash('sha256')
      .update(`${this.mappingFingerprint}\n${this.state.encoding ?? ''}\n${item.fields.join('\t')}\n`)
      .digest();
  }

  /**
   * Stages a whole file: rows in batches of `batchSize` (raw-row lookups, mapping, COPY text),
   * the reader's rejects as they come; `pause` lets the thread answer others between rows.
   */
  async stageAll(
    items: AsyncIterable<ReadItem>,
    sink: StagingSink,
    batchSize: number,
    phases: Record<string, number>,
    pause: () => Promise<void> = async () => {},
  ): Promise<void> {
    const { state } = this;
    let batch: RecordItem[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const taken = batch;
      batch = [];
      const hashes = this.rawHashes(taken);
      const known = await sink.lookup(hashes);
      const started = performance.now();
      const staged = this.stage(taken, hashes, known);
      lap(phases, 'map', started);
      await sink.write(staged);
    };
    for await (const item of items) {
      await pause();
      if (item.kind === 'meta') {
        this.meta(item);
        continue;
      }
      state.counts.read++;
      if (item.kind === 'reject') {
        state.keylessRejects++;
        state.counts.rejected++;
        await sink.write({ text: '', maps: [], rejects: [{ ...item }] });
        continue;
      }
      batch.push(item);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  }

  rawHashes(items: readonly RecordItem[]): string[] {
    return items.map((item) =>
      createHash('sha256').update(this.rawSeed).update(item.raw).digest('base64url').slice(0, 22),
    );
  }

  stage(
    items: readonly RecordItem[],
    hashes: readonly string[],
    known: ReadonlyMap<string, KnownRow>,
  ): StagedBatch {
    const { state, mapping } = this;
    const rejects: RejectInput[] = [];
    const reject = (r: RejectInput, keyless: boolean) => {
      if (keyless) state.keylessRejects++;
      state.counts.rejected++;
      rejects.push(r);
    };
    const duplicate = (key: string, item: RecordItem): boolean => {
      const first = this.firstLine.firstOrAdd(key, item.line);
      if (first === undefined) return false;
      reject(
        {
          line: item.line,
          field: mapping.key.at(-1)!,
          code: 'HUB_ERR_DUPLICATE_KEY',
          message: errorMessage('HUB_ERR_DUPLICATE_KEY', {
            field: mapping.key.join('+'),
            value: key,
            firstLine: first,
          }),
          raw: item.raw,
        },
        false,
      );
      return true;
    };
    let text = '';
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const hash = hashes[i]!;
      const stored = known.get(hash);
      if (stored) {
        if (duplicate(stored.source_key, item)) continue;
        state.counts.unchanged++;
        this.codes.add(stored.municipality_code);
        state.sources.add(sourceOfKey(mapping.entity, stored.source_key));
        text += `${copyText(state.id)}\t${item.line}\t${copyText(stored.source_key)}${SEEN_ONLY_TAIL}\n`;
        continue;
      }
      const mapped = mapItem(item, mapping, this.check, state, this.mappings);
      if (mapped.kind === 'skip') {
        state.counts.skipped++;
        continue;
      }
      if (mapped.kind === 'reject') {
        reject(mapped.reject, true);
        continue;
      }
      const record = mapped.record as PersonRecord;
      const key = keyOf(mapping, record);
      if (duplicate(key, item)) continue;
      this.codes.add(record.municipalityCode);
      this.mapped++;
      text += stagingLine(state.id, item.line, key, record, hash, this.maps.idFor(mapped.sources));
    }
    return { text, maps: this.maps.takeNew(), rejects };
  }
}

function stagingLine(
  importId: string,
  line: number,
  key: string,
  r: PersonRecord,
  rawHash: string,
  provenanceMap: string,
): string {
  const json = stableStringify(r);
  const k = personSearchKeys(r);
  return `${[
    copyText(importId),
    line,
    copyText(key),
    copyText(newId('per')),
    copyText(r.municipalityCode),
    copyText(r.atenaNo),
    copyText(r.householdId),
    copyText(r.householdOrder),
    copyText(r.residentCode),
    copyText(r.status),
    copyText(k.kana_key),
    copyText(k.name_key),
    copyText(k.kana_exact),
    copyText(k.name_exact),
    copyText(k.address_key),
    copyText(r.birthDate.iso),
    copyText(r.restrictions.supportMeasure || r.restrictions.noCrossReference),
    copyText(json),
    sha256Hex(json),
    rawHash,
    provenanceMap,
  ].join('\t')}\n`;
}
