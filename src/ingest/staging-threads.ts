import { MessageChannel } from 'node:worker_threads';
import type { Kysely } from 'kysely';
import { Piscina } from 'piscina';
import { type ErrorCode, HubError, InputError } from '../errors.ts';
import type { CopyInto } from '../store/copy-into.ts';
import type { Database } from '../store/types.ts';
import { type PersonRunProgress, type StagedPersons, stagingWriter } from './person-bulk.ts';
import { lap } from './person-stager.ts';
import type {
  CarriedError,
  HubReply,
  StagingOutcome,
  StagingProgress,
  StagingTask,
  WorkerRequest,
} from './staging-task.ts';

/** The hub's pool of import threads (piscina); each person import holds one thread while it reads. */
export interface StagingThreads {
  readonly size: number;
  readonly mappingsDir: string;
  run(task: StagingTask): Promise<StagingOutcome>;
  close(): Promise<void>;
}

export function createStagingThreads(size: number, mappingsDir: string): StagingThreads {
  const pool = new Piscina<StagingTask, StagingOutcome>({
    filename: new URL('./staging-worker.mjs', import.meta.url).href,
    minThreads: 0,
    maxThreads: size,
    idleTimeout: 60_000,
    // The heap is bounded by a batch and the mapping's caches (first lines of keys live outside it):
    // without a limit V8 grows it lazily, past what an import needs.
    resourceLimits: { maxOldGenerationSizeMb: 192 },
  });
  return {
    size,
    mappingsDir,
    run: (task) => pool.run(task, { transferList: [task.port] }),
    close: () => pool.destroy(),
  };
}

export interface ThreadStagingDeps {
  db: Kysely<Database>;
  copyInto: CopyInto;
  threads: StagingThreads;
  batchSize: number;
}

/**
 * Phase 1 of a person import in a worker thread: the hub's thread serves the worker's requests
 * (bytes of the file, stored raw-row hashes, staged batches to COPY) and keeps answering the API.
 */
export async function stagePersonsInThread(
  deps: ThreadStagingDeps,
  task: Omit<StagingTask, 'port' | 'mappingsDir' | 'batchSize'>,
  bytes: AsyncIterable<Uint8Array>,
  state: PersonRunProgress,
): Promise<StagedPersons> {
  const started = performance.now();
  const writer = stagingWriter(deps.db, deps.copyInto, state);
  const file = bytes[Symbol.asyncIterator]();
  const { port1: hub, port2: worker } = new MessageChannel();
  let failure: unknown;
  const answer = async (request: WorkerRequest): Promise<HubReply> => {
    switch (request.type) {
      case 'read': {
        const next = await file.next();
        if (next.done) return { id: request.id, type: 'end' };
        return { id: request.id, type: 'chunk', bytes: new Uint8Array(next.value) };
      }
      case 'lookup': {
        const known = await writer.lookup(request.hashes);
        return {
          id: request.id,
          type: 'known',
          rows: [...known].map(([hash, row]) => [hash, row.source_key, row.municipality_code]),
        };
      }
      case 'batch':
        await writer.write(request.batch);
        return { id: request.id, type: 'written' };
    }
  };
  hub.on('message', (request: WorkerRequest) => {
    answer(request).then(
      (reply) => hub.postMessage(reply, reply.type === 'chunk' ? [reply.bytes.buffer as ArrayBuffer] : []),
      (error: unknown) => {
        failure ??= error;
        hub.postMessage({ id: request.id, type: 'failed' } satisfies HubReply);
      },
    );
  });
  let outcome: StagingOutcome;
  try {
    outcome = await deps.threads.run({
      ...task,
      port: worker,
      mappingsDir: deps.threads.mappingsDir,
      batchSize: deps.batchSize,
    });
  } finally {
    hub.close();
    await file.return?.();
  }
  if (failure !== undefined || !outcome.ok) {
    if (outcome.progress) take(state, outcome.progress);
    // The rejects found before the failure are kept with the failed run.
    await writer.done().catch(() => {});
    throw failure ?? rebuilt((outcome as { error: CarriedError }).error);
  }
  await writer.done();
  take(state, outcome.progress);
  lap(state.phases, 'stage', started);
  return { codes: new Set(outcome.progress.codes), mapped: outcome.progress.mapped };
}

function take(state: PersonRunProgress, progress: StagingProgress): void {
  state.counts.read += progress.counts.read;
  state.counts.skipped += progress.counts.skipped;
  state.counts.rejected += progress.counts.rejected;
  state.counts.unchanged += progress.counts.unchanged;
  state.keylessRejects += progress.keylessRejects;
  state.warnings.push(...progress.warnings);
  state.mode = progress.mode;
  if (progress.encoding !== undefined) state.encoding = progress.encoding;
  if (progress.encodingDetected !== undefined) state.encodingDetected = progress.encodingDetected;
  state.fields = progress.fields;
  for (const source of progress.sources) state.sources.add(source);
  for (const [phase, ms] of Object.entries(progress.phases))
    state.phases[phase] = (state.phases[phase] ?? 0) + ms;
}

/** The worker's error as the class the run's failure handling expects. */
function rebuilt(error: CarriedError): Error {
  if (error.name === 'InputError' && error.code) {
    return new InputError(
      error.code as ErrorCode,
      {
        line: error.line ?? 0,
        ...(error.column !== undefined ? { column: error.column } : {}),
        ...(error.field !== undefined ? { field: error.field } : {}),
      },
      error.params,
    );
  }
  if (error.name === 'HubError' && error.code) return new HubError(error.code as ErrorCode, error.params);
  return Object.assign(new Error(error.message), { name: error.name });
}
