import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { InboundJob } from '../config/hub-config.ts';
import type { ImportOptions, ImportSource } from '../ingest/run-import.ts';
import { fileSource } from '../ingest/sources.ts';
import type { ImportRun } from '../schemas/import-run.ts';
import type { Database } from '../store/types.ts';

export interface InboundCounts {
  [k: string]: number;
  seen: number;
  waiting: number;
  imported: number;
  unchanged: number;
  failed: number;
}

async function moveFile(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  try {
    await rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await copyFile(from, to);
    await rm(from);
  }
}

/** A free name in `dir` for `name` (an archived file is never overwritten). */
async function freeName(dir: string, name: string): Promise<string> {
  const target = path.join(dir, name);
  try {
    await stat(target);
  } catch {
    return target;
  }
  return path.join(dir, `${Date.now()}-${name}`);
}

const SKIP = /\.(done|tmp|part|filepart)$/i;

/**
 * One pass of an inbound job: a file is taken only when its `.done` marker exists, or when
 * its size and mtime are the same as at the previous pass and older than `stableSeconds`; it
 * is moved to staging, imported (the SHA-256 registry makes a second copy `unchanged`), and
 * moved to `archive/`, or to `error/` with the reason beside it.
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
  const dir = job.source.dir;
  const pattern = job.pattern ? new RegExp(job.pattern) : undefined;
  await mkdir(dir, { recursive: true });
  const entries = (await readdir(dir, { withFileTypes: true })).filter(
    (e) => e.isFile() && !SKIP.test(e.name) && (!pattern || pattern.test(e.name)),
  );
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    counts.seen++;
    const file = path.join(dir, entry.name);
    const marker = path.join(dir, `${entry.name.replace(/\.[^.]+$/, '')}.done`);
    const st = await stat(file);
    if (job.doneMarker) {
      const hasMarker = await stat(marker).then(
        () => true,
        () => false,
      );
      if (!hasMarker) {
        counts.waiting++;
        continue;
      }
    } else {
      const prior = await deps.db
        .selectFrom('job_files')
        .selectAll()
        .where('job', '=', job.name)
        .where('name', '=', entry.name)
        .executeTakeFirst();
      const same =
        prior && Number(prior.size) === st.size && Number(prior.mtime_ms) === Math.floor(st.mtimeMs);
      const old = now() - st.mtimeMs >= (job.stableSeconds ?? 60) * 1000;
      if (!same || !old) {
        await deps.db
          .insertInto('job_files')
          .values({ job: job.name, name: entry.name, size: st.size, mtime_ms: Math.floor(st.mtimeMs) })
          .onConflict((oc) =>
            oc.columns(['job', 'name']).doUpdateSet({ size: st.size, mtime_ms: Math.floor(st.mtimeMs) }),
          )
          .execute();
        counts.waiting++;
        continue;
      }
    }
    const staged = path.join(deps.stagingDir, job.name, `${Date.now()}-${entry.name}`);
    await moveFile(file, staged);
    await deps.db
      .deleteFrom('job_files')
      .where('job', '=', job.name)
      .where('name', '=', entry.name)
      .execute();
    let run: ImportRun;
    try {
      run = await deps.importFile(await fileSource(staged, entry.name), { adapter: job.adapter });
    } catch (e) {
      run = {
        status: 'failed',
        error: { line: 0, code: 'HUB_ERR_INTERNAL', message: (e as Error).message },
      } as ImportRun;
    }
    const ok = run.status !== 'failed';
    const dest = await freeName(path.join(dir, ok ? 'archive' : 'error'), entry.name);
    await moveFile(staged, dest);
    if (!ok) await writeFile(`${dest}.reason.txt`, `${run.error?.code ?? ''}: ${run.error?.message ?? ''}\n`);
    if (job.doneMarker) await moveFile(marker, `${dest.replace(/\.[^.]+$/, '')}.done`).catch(() => {});
    if (!ok) counts.failed++;
    else if (run.status === 'unchanged') counts.unchanged++;
    else counts.imported++;
  }
  return counts;
}
