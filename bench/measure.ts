/** Small measuring tools shared by the benchmarks. */

/** Feeds bytes in 64 KiB chunks, as a file stream would. */
export async function* chunks(bytes: Uint8Array, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

export interface Timed<T> {
  value: T;
  ms: number;
  /** CPU time of this process (user + system) in microseconds. */
  cpuUs: number;
}

export async function timed<T>(f: () => Promise<T>): Promise<Timed<T>> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const value = await f();
  const ms = performance.now() - t;
  const used = process.cpuUsage(cpu);
  return { value, ms, cpuUs: used.user + used.system };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs `f` n times and keeps the run with the median wall time. */
export async function medianOf<T>(n: number, f: () => Promise<T>): Promise<Timed<T>> {
  const runs: Timed<T>[] = [];
  for (let i = 0; i < n; i++) runs.push(await timed(f));
  runs.sort((a, b) => a.ms - b.ms);
  return runs[Math.floor(runs.length / 2)]!;
}
