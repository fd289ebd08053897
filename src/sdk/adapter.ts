import type { TSchema } from '@sinclair/typebox';
import type { ErrorCode } from '../errors.ts';
import type { Encoding } from '../parsers/decode.ts';
import type { FixedLayout } from '../parsers/fixed-width.ts';

/**
 * Adapter SDK v1. An adapter turns the bytes of one core system's file into raw records (or
 * rejects); a mapping (`mappings/<adapter>/<entity>.mapping.yaml`) turns raw records into the
 * canonical model. Adapters are listed explicitly in `adapters/index.ts`.
 */
export interface AdapterManifest {
  /** Stable id, kebab-case, used in `?adapter=` and `--adapter`. */
  id: string;
  /** The adapter's own semver. */
  version: string;
  title: string;
  direction: 'read' | 'write';
  /** File formats handled, e.g. `csv`, `fixed-width`, `xml`. */
  formats: string[];
  encodings: Encoding[];
  /** Canonical entities produced (read) or consumed (write), e.g. `person`. */
  entities: string[];
  /** TypeBox schema of the adapter's configuration; mark secrets with `{ secret: true }`. */
  configSchema: TSchema;
}

export interface ReadContext {
  /** The file name as received (adapters may read meaning from it, e.g. 全件 / 異動分). */
  fileName: string;
  /** An explicit encoding; when absent the adapter detects it. */
  encoding?: Encoding;
  /** `full` or `delta` when the caller knows; otherwise the adapter decides. */
  mode?: 'full' | 'delta';
  config: Record<string, unknown>;
  /** The adapter's fixed-width layout from `mappings/<adapter>/layout.yaml`, when it has one. */
  layout?: FixedLayout;
}

/** What a reader yields, in order: one `meta` before any record, then records and rejects. */
export type ReadItem =
  | {
      kind: 'meta';
      encoding: Encoding;
      encodingDetected: boolean;
      mode: 'full' | 'delta';
      /** Field (column) names, in file order; a record's field index is its column. */
      fields: string[];
    }
  | {
      kind: 'record';
      entity: string;
      line: number;
      values: Record<string, string>;
      raw: Uint8Array;
    }
  | {
      kind: 'reject';
      line: number;
      column?: number;
      field?: string;
      code: ErrorCode;
      message: string;
      raw?: Uint8Array;
    };

export interface ReadAdapter {
  manifest: AdapterManifest & { direction: 'read' };
  /**
   * Reads one file. Bad rows are yielded as rejects; a problem with the whole file (empty,
   * unknown encoding, missing header column, no records) is thrown as an `InputError`.
   */
  read(input: AsyncIterable<Uint8Array>, context: ReadContext): AsyncIterable<ReadItem>;
}

export type Adapter = ReadAdapter;

/** Declares an adapter; the identity at run time, a type check at compile time. */
export function defineAdapter<A extends Adapter>(adapter: A): A {
  if (!/^[a-z][a-z0-9-]*$/.test(adapter.manifest.id)) {
    throw new Error(`adapter id ${adapter.manifest.id} must be kebab-case`);
  }
  return adapter;
}
