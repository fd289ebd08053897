import type { Hub } from '../app.ts';
import { verifyAuditChain } from '../audit/verify-chain.ts';
import type { Dashboard } from '../schemas/operations.ts';

/**
 * What an operator looks at first: the newest import of each source, the outbox per target,
 * the jobs with their last and next run, and the audit trail's state (its hash chain checked
 * when asked). No personal data.
 */
export async function dashboardSummary(
  hub: Hub,
  options: { verifyAudit?: boolean } = {},
): Promise<Dashboard> {
  const [latest, counts, outbox, jobs, audit, dead, failed] = await Promise.all([
    hub.imports.latestPerSource(),
    hub.deliveries.countsByTarget(),
    hub.deliveries.outbox(),
    hub.jobs.overview(),
    hub.audit.summary(),
    hub.deliveries.list({ status: 'dead', limit: 20, offset: 0 }),
    hub.deliveries.list({ status: 'failed', limit: 20, offset: 0 }),
  ]);
  // Walking the chain reads every audit row: only when the operator asks for it.
  const verification = options.verifyAudit ? await verifyAuditChain(hub.audit) : undefined;
  const problems = [...dead.items, ...failed.items]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, 20);
  const targetIds = [...new Set([...hub.targets.map((t) => t.id), ...counts.map((c) => c.target)])].sort();
  const targets = targetIds.map((target) => {
    const of = (status: string) => counts.find((c) => c.target === target && c.status === status)?.count ?? 0;
    return {
      target,
      pending: of('pending'),
      failed: of('failed'),
      dead: of('dead'),
      delivered: of('delivered'),
    };
  });
  return {
    at: new Date().toISOString(),
    imports: latest.map((run) => ({
      adapter: run.adapter,
      ...(run.source ? { source: run.source } : {}),
      importId: run.id,
      file: run.file,
      status: run.status,
      rejected: run.counts.rejected,
      startedAt: run.startedAt,
      ...(run.lastSuccessAt ? { lastSuccessAt: run.lastSuccessAt } : {}),
    })),
    deliveries: {
      targets,
      outboxDepth: outbox.depth,
      oldestPendingAgeSeconds: outbox.oldestAgeSeconds,
      failed: targets.reduce((n, t) => n + t.failed, 0),
      dead: targets.reduce((n, t) => n + t.dead, 0),
      problems,
    },
    jobs,
    audit: {
      ...audit,
      chain: verification ? (verification.ok ? 'ok' : 'broken') : 'unverified',
      ...(verification ? { verification } : {}),
    },
  };
}
