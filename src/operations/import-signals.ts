import type { FastifyBaseLogger } from 'fastify';
import type { Metrics } from '../metrics.ts';
import type { ImportRun } from '../schemas/import-run.ts';

/**
 * The signals of a finished import run: counters by status and rows, and an error-level line
 * when the run failed or rejected rows (codes and counts only, never a row's content or a file
 * name, which may carry a person's name).
 */
export function reportImport(run: ImportRun, metrics: Metrics, log: FastifyBaseLogger): void {
  metrics.importsTotal.inc({ adapter: run.adapter, status: run.status });
  metrics.importRows.inc({ adapter: run.adapter, outcome: 'rejected' }, run.counts.rejected);
  metrics.importRows.inc(
    { adapter: run.adapter, outcome: 'accepted' },
    run.counts.read - run.counts.rejected,
  );
  // Rows rejected make a run `partial`; a run that still says `succeeded` with rejects counts too.
  if (run.status !== 'failed' && run.status !== 'partial' && run.counts.rejected === 0) return;
  log.error(
    {
      importId: run.id,
      adapter: run.adapter,
      ...(run.source ? { source: run.source } : {}),
      status: run.status,
      counts: run.counts,
      ...(run.error ? { code: run.error.code } : {}),
    },
    run.status === 'failed' ? 'import failed' : `import partial: ${run.counts.rejected} rows rejected`,
  );
}
