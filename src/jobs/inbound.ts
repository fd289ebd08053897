import path from 'node:path';
import type { Kysely } from 'kysely';
import type { InboundJob } from '../config/hub-config.ts';
import type { ImportOptions, ImportSource } from '../ingest/run-import.ts';
import { fileSource } from '../ingest/sources.ts';
import type { ImportRun } from '../schemas/import-run.ts';
import type { Database } from '../store/types.ts';
import { folderSource, type InboundSource, sftpSource } from './sources.ts';

export interface InboundCounts {
  [k: string]: number;
  seen: number;
  waiting: number;
  imported: number;
  unchanged: number;
  failed: number;
}

const SKIP = /\.(done|tmp|part|filepart)$/i;

/**
 * One pass of an inbound job: a file is taken only when its `.done` marker exists, or when
 * its size and mtime are the same as at the previous pass and older than `stableSeconds`; it
 * is copied to staging, imported (the SHA-256 registry makes a second copy `unchanged`), and
 * filed in `archive/`, or in `error/` with the reason beside it.
 */
export async function runInbound(
  job: InboundJob,
  deps: {
    db: Kysely<Database>;
    stagingDir: string;
    importFile(source: ImportSource, options: ImportOptions): Promise<ImportRun>;
    now?: () => number;
  },
): Promise<InboundCounts> {
  const counts: InboundCounts = { seen: 0, waiting: 0, imported: 0, unchanged: 0, failed: 0 };
  const now = deps.now ?? Date.now;
  const pattern = job.pattern ? new RegExp(job.pattern) : undefined;
  const source: InboundSource =
    job.source.type === 'sftp' ? await sftpSource(job.source) : folderSource(job.source.dir);
  try {
    const files = (await source.list())
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
      const staged = path.join(deps.stagingDir, job.name, `${Date.now()}-${f.name}`);
      await source.take(f.name, staged);
      await deps.db.deleteFrom('job_files').where('job', '=', job.name).where('name', '=', f.name).execute();
      let run: ImportRun;
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
      const ok = run.status !== 'failed';
      await source.file(
        f.name,
        staged,
        ok,
        ok ? undefined : `${run.error?.code ?? ''}: ${run.error?.message ?? ''}`,
      );
      if (job.doneMarker) await source.fileMarker(marker, ok);
      if (!ok) counts.failed++;
      else if (run.status === 'unchanged') counts.unchanged++;
      else counts.imported++;
    }
  } finally {
    await source.close();
  }
  return counts;
}
