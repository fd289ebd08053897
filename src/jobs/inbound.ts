import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { InboundJob } from '../config/hub-config.ts';
import type { ImportOptions, ImportSource } from '../ingest/run-import.ts';
import { fileSource } from '../ingest/sources.ts';
import { isPlainFileName } from '../normalize/storable-text.ts';
import type { Staging } from '../runtime/staging.ts';
import { pauseForTest } from '../runtime/test-pause.ts';
import type { ImportRun } from '../schemas/import-run.ts';
import type { Database } from '../store/types.ts';
import { folderSource, type InboundSource, sftpSource } from './sources.ts';

export interface InboundCounts {
  [k: string]: number;
  seen: number;
  waiting: number;
  imported: number;
  /** Imported with rejected rows (archived; the rejects are on the run). */
  partial: number;
  unchanged: number;
  failed: number;
  /** Listed names that are not plain file names (`../x`), left where they are. */
  refused: number;
}

const SKIP = /\.(done|tmp|part|filepart)$/i;

/**
 * One pass of an inbound job: a file is taken only when its `.done` marker exists, or when
 * its size and mtime are the same as at the previous pass and older than `stableSeconds`; it
 * is copied to staging, imported (the SHA-256 registry makes a second copy `unchanged`), and
 * filed in `archive/`, or in `error/` with the reason beside it. The original stays in the inbox
 * until it is filed, so a hub killed mid-import takes it again at its next pass, and the staged
 * copy is removed when the file is filed (or, after a kill, at the next start-up).
 */
export async function runInbound(
  job: InboundJob,
  deps: {
    db: Kysely<Database>;
    staging: Staging;
    importFile(source: ImportSource, options: ImportOptions): Promise<ImportRun>;
    now?: () => number;
  },
): Promise<InboundCounts> {
  const counts: InboundCounts = {
    seen: 0,
    waiting: 0,
    imported: 0,
    partial: 0,
    unchanged: 0,
    failed: 0,
    refused: 0,
  };
  const now = deps.now ?? Date.now;
  const pattern = job.pattern ? new RegExp(job.pattern) : undefined;
  const source: InboundSource =
    job.source.type === 'sftp' ? await sftpSource(job.source) : folderSource(job.source.dir);
  try {
    const listed = await source.list();
    // A name from a remote listing is used in local and remote paths: only a plain name is
    // taken; `../x`, `a/b` or control characters (a hostile or broken server) are left alone.
    const plain = listed.filter((f) => isPlainFileName(f.name));
    counts.refused = listed.length - plain.length;
    const files = plain
      .filter((f) => !SKIP.test(f.name) && (!pattern || pattern.test(f.name)))
      .sort((a, b) => a.name.localeCompare(b.name));
    for (const f of files) {
      counts.seen++;
      const marker = `${f.name.replace(/\.[^.]+$/, '')}.done`;
      if (job.doneMarker) {
        if (!(await source.exists(marker))) {
          counts.waiting++;
          continue;
        }
      } else {
        const prior = await deps.db
          .selectFrom('job_files')
          .selectAll()
          .where('job', '=', job.name)
          .where('name', '=', f.name)
          .executeTakeFirst();
        const same = prior && Number(prior.size) === f.size && Number(prior.mtime_ms) === f.mtimeMs;
        const old = now() - f.mtimeMs >= (job.stableSeconds ?? 60) * 1000;
        if (!same || !old) {
          await deps.db
            .insertInto('job_files')
            .values({ job: job.name, name: f.name, size: f.size, mtime_ms: f.mtimeMs })
            .onConflict((oc) =>
              oc.columns(['job', 'name']).doUpdateSet({ size: f.size, mtime_ms: f.mtimeMs }),
            )
            .execute();
          counts.waiting++;
          continue;
        }
      }
      const staged = path.join(await deps.staging.ensure(), job.name, `${Date.now()}-${f.name}`);
      let run: ImportRun;
      try {
        await source.take(f.name, staged);
        await deps.db
          .deleteFrom('job_files')
          .where('job', '=', job.name)
          .where('name', '=', f.name)
          .execute();
        await pauseForTest('inbound-after-stage');
        try {
          run = await deps.importFile(await fileSource(staged, f.name), {
            adapter: job.adapter,
            clientId: `job:${job.name}`,
          });
        } catch (e) {
          run = {
            status: 'failed',
            error: { line: 0, code: 'HUB_ERR_INTERNAL', message: (e as Error).message },
          } as ImportRun;
        }
      } catch (e) {
        await rm(staged, { force: true });
        throw e;
      }
      const ok = run.status !== 'failed';
      try {
        await source.file(
          f.name,
          staged,
          ok,
          ok ? undefined : `${run.error?.code ?? ''}: ${run.error?.message ?? ''}`,
        );
      } finally {
        await rm(staged, { force: true });
      }
      if (job.doneMarker) await source.fileMarker(marker, ok);
      if (!ok) counts.failed++;
      else if (run.status === 'unchanged') counts.unchanged++;
      else {
        counts.imported++;
        if (run.status === 'partial') counts.partial++;
      }
    }
  } finally {
    await source.close();
  }
  return counts;
}
