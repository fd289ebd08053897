/**
 * How many rejected rows a run may have before it fails and writes nothing: a number of rows
 * (`10`) or a share of the rows considered (`5%`). Without a limit only a file whose every row
 * was rejected fails.
 */
export type RejectLimit = { rows: number } | { percent: number };

/** Reads `N` or `P%` (P may have decimals); undefined when the text is neither. */
export function parseRejectLimit(text: string | number): RejectLimit | undefined {
  const s = String(text).trim();
  const rows = /^(\d+)$/.exec(s);
  if (rows) return { rows: Number(rows[1]) };
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(s);
  if (percent && Number(percent[1]) <= 100) return { percent: Number(percent[1]) };
  return undefined;
}

export function formatRejectLimit(limit: RejectLimit): string {
  return 'rows' in limit ? `${limit.rows} 行` : `${limit.percent}%`;
}

/** True when `rejected` of `considered` rows is over the limit. */
export function exceedsRejectLimit(limit: RejectLimit, rejected: number, considered: number): boolean {
  if ('rows' in limit) return rejected > limit.rows;
  return considered > 0 && (rejected * 100) / considered > limit.percent;
}
