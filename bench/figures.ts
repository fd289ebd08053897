/** Issue 10's table as targets, and the verdict of a measured figure against its target. */

export type Verdict = 'PASS' | 'FAIL' | 'INFO' | 'SKIPPED';

export interface Figure {
  id: string;
  label: string;
  database?: 'postgres' | 'pglite';
  value: number | null;
  unit: string;
  /** The target as the issue states it ('—' where the issue sets none). */
  target: string;
  verdict: Verdict;
  /** The baseline measured in the same run, where the figure is a ratio or compared to one. */
  baseline?: { label: string; value: number; unit: string };
  reason?: string;
}

/** Every figure that is measured per database, as `<group>.<name>` (the id is `<group>.<database>.<name>`). */
export const PER_DATABASE_FIGURES = [
  'import.personsPerSecond',
  'import.workerThreadSpeedup',
  'import.clientCpuUsPerRow',
  'import.serverCpuUsPerRow',
  'import.serverShare',
  'rawFloor.rowsPerSecond',
  'rawFloor.cpuUsPerRow',
  'import.ratioToRawFloor',
  'delta.ratioToFull',
  'api.byIdRatioToBare',
  'api.byIdRequestsPerSecond',
  'api.byIdP50',
  'api.byIdP99',
  'api.kanaRequestsPerSecond',
  'api.kanaP50',
  'api.kanaP99',
  'rss.importPeakMb',
  'duringImport.maxLatencyMs',
  'duringImport.p99RatioToIdle',
] as const;

type Check = { op: '>=' | '<='; limit: number } | undefined;

export function figure(
  f: Omit<Figure, 'verdict' | 'target' | 'value'> & { value: number | null | undefined; target?: string },
  check?: Check,
): Figure {
  const value = f.value === undefined || f.value === null || !Number.isFinite(f.value) ? null : f.value;
  const target = f.target ?? (check ? `${check.op} ${check.limit}` : '—');
  let verdict: Verdict;
  if (value === null) verdict = 'SKIPPED';
  else if (!check) verdict = 'INFO';
  else verdict = (check.op === '>=' ? value >= check.limit : value <= check.limit) ? 'PASS' : 'FAIL';
  return {
    ...f,
    value: value === null ? null : Math.round(value * 1000) / 1000,
    target,
    verdict,
    ...(value === null && !f.reason ? { reason: 'not measured' } : {}),
  };
}

export function skipped(f: Omit<Figure, 'verdict' | 'value'>, reason: string): Figure {
  return { ...f, value: null, verdict: 'SKIPPED', reason };
}

/** A plain-text table: figure, value, target, verdict. */
export function formatTable(figures: Figure[]): string {
  const rows = figures.map((f) => [
    `${f.database ? `[${f.database}] ` : ''}${f.label}`,
    f.value === null ? `— (${f.reason})` : `${f.value.toLocaleString('en-US')} ${f.unit}`,
    f.target,
    f.verdict,
  ]);
  const width = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i < 3 ? c.padEnd(width[i]!) : c)).join('  ')).join('\n');
}
