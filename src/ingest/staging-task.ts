import os from 'node:os';
import type { MessagePort } from 'node:worker_threads';
import { adapters as shippedAdapters } from '../../adapters/index.ts';
import { HubError, InputError } from '../errors.ts';
import { type MappingCatalog, requireMappingCatalog } from '../mapping/catalog.ts';
import type { ImportWarning } from '../schemas/import-run.ts';
import type { ReadContext } from '../sdk/adapter.ts';
import { createAdapterRegistry } from '../sdk/registry.ts';
import { personCheck } from './person-check.ts';
import { type KnownRow, PersonStager, type StagedBatch } from './person-stager.ts';

/**
 * The part of a person import that runs in a worker thread (piscina): the file is read,
 * hashed, mapped and turned into COPY text here, so that the hub's own thread only moves bytes
 * and talks to the database, and keeps answering requests. The thread runs at a lower
 * priority (nice 10, per thread on Linux): under load the API is served first.
 *
 * The conversation runs over `port`: the worker asks for the file's bytes (`read`), for the
 * stored persons whose raw rows it has (`lookup`), and hands each staged batch over (`batch`);
 * the hub answers each request by its number.
 */
export interface StagingTask {
  port: MessagePort;
  mappingsDir: string;
  adapter: string;
  entity: string;
  read: Omit<ReadContext, 'config'> & { config: Record<string, unknown> };
  importId: string;
  strictColumns: boolean;
  mappingFingerprint: string;
  batchSize: number;
}

type Request =
  | { type: 'read' }
  | { type: 'lookup'; hashes: string[] }
  | { type: 'batch'; batch: StagedBatch };
export type WorkerRequest = Request & { id: number };

export type HubReply =
  | { id: number; type: 'chunk'; bytes: Uint8Array }
  | { id: number; type: 'end' }
  | { id: number; type: 'known'; rows: [string, string, string][] }
  | { id: number; type: 'written' }
  | { id: number; type: 'failed' };

/** What the worker learnt of the run, for the hub's run state. */
export interface StagingProgress {
  counts: { read: number; skipped: number; rejected: number; unchanged: number };
  keylessRejects: number;
  warnings: ImportWarning[];
  mode: 'full' | 'delta';
  encoding?: string;
  encodingDetected?: boolean;
  fields: string[];
  sources: string[];
  codes: string[];
  mapped: number;
  phases: Record<string, number>;
}

/** An error as it crosses the thread boundary (structured clone keeps no class). */
export interface CarriedError {
  name: string;
  message: string;
  code?: string;
  params?: Record<string, unknown>;
  line?: number;
  column?: number;
  field?: string;
}

export type StagingOutcome =
  | { ok: true; progress: StagingProgress }
  | { ok: false; error: CarriedError; progress?: StagingProgress };

let lowered = false;
const catalogs = new Map<string, MappingCatalog>();
const registry = createAdapterRegistry(shippedAdapters);

export default async function stageInWorker(task: StagingTask): Promise<StagingOutcome> {
  if (!lowered) {
    lowered = true;
    try {
      os.setPriority(10);
    } catch {
      // not permitted here: the thread keeps the hub's priority
    }
  }
  const hub = conversation(task.port);
  let progress: (() => StagingProgress) | undefined;
  try {
    let mappings = catalogs.get(task.mappingsDir);
    if (!mappings) {
      mappings = requireMappingCatalog(
        task.mappingsDir,
        registry.list().map((a) => a.manifest.id),
      );
      catalogs.set(task.mappingsDir, mappings);
    }
    const mapping = mappings.get(task.adapter, task.entity)!;
    const state = {
      id: task.importId,
      counts: { read: 0, skipped: 0, rejected: 0, unchanged: 0 },
      keylessRejects: 0,
      mode: 'full' as 'full' | 'delta',
      fields: [] as string[],
      renamed: new Map<string, string>(),
      known: new Set<string>(),
      strictColumns: task.strictColumns,
      warnings: [] as ImportWarning[],
      sources: new Set<string>(),
    } as ConstructorParameters<typeof PersonStager>[3] & { encoding?: string; encodingDetected?: boolean };
    const stager = new PersonStager(mapping, personCheck, mappings, state, task.mappingFingerprint);
    const phases: Record<string, number> = {};
    progress = () => ({
      counts: state.counts,
      keylessRejects: state.keylessRejects,
      warnings: state.warnings,
      mode: state.mode,
      ...(state.encoding !== undefined ? { encoding: state.encoding } : {}),
      ...(state.encodingDetected !== undefined ? { encodingDetected: state.encodingDetected } : {}),
      fields: state.fields,
      sources: [...state.sources],
      codes: [...stager.codes],
      mapped: stager.mapped,
      phases,
    });
    const reader = registry.reader(task.adapter);
    await stager.stageAll(reader.read(hub.bytes(), task.read), hub, task.batchSize, phases);
    return { ok: true, progress: progress() };
  } catch (error) {
    return { ok: false, error: carried(error), ...(progress ? { progress: progress() } : {}) };
  } finally {
    task.port.close();
  }
}

function carried(error: unknown): CarriedError {
  if (error instanceof InputError) {
    return {
      name: 'InputError',
      message: error.message,
      code: error.code,
      params: error.params,
      line: error.line,
      ...(error.column !== undefined ? { column: error.column } : {}),
      ...(error.field !== undefined ? { field: error.field } : {}),
    };
  }
  if (error instanceof HubError)
    return { name: 'HubError', message: error.message, code: error.code, params: error.params };
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message };
}

/** The worker's side of the conversation: one request at a time per caller, answered by number. */
function conversation(port: MessagePort) {
  let next = 0;
  const waiting = new Map<number, (reply: HubReply) => void>();
  port.on('message', (reply: HubReply) => {
    const resolve = waiting.get(reply.id);
    waiting.delete(reply.id);
    resolve?.(reply);
  });
  const ask = (request: Request): Promise<HubReply> =>
    new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, (reply) =>
        reply.type === 'failed' ? reject(new Error('the hub stopped the import')) : resolve(reply),
      );
      port.postMessage({ ...request, id });
    });
  return {
    async *bytes(): AsyncIterable<Uint8Array> {
      // One chunk asked ahead: the hub reads the file while this thread parses the last chunk.
      let next = ask({ type: 'read' });
      for (;;) {
        const reply = await next;
        if (reply.type !== 'chunk') return;
        next = ask({ type: 'read' });
        yield reply.bytes;
      }
    },
    async lookup(hashes: string[]): Promise<Map<string, KnownRow>> {
      const reply = await ask({ type: 'lookup', hashes });
      const rows = reply.type === 'known' ? reply.rows : [];
      return new Map(
        rows.map(([hash, source_key, municipality_code]) => [hash, { source_key, municipality_code }]),
      );
    },
    async write(batch: StagedBatch): Promise<void> {
      await ask({ type: 'batch', batch });
    },
  };
}
