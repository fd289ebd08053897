/**
 * A bounded memo for pure functions of one string, for inputs that repeat a lot in a file
 * (surnames, given names, towns, dates, 続柄 labels). Two generations: hits in the older one are
 * promoted, and when the young one is full the old one is dropped, so it holds at most `limit`
 * entries and keeps the ones in use.
 */
export class BoundedMemo<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  private readonly half: number;

  constructor(readonly limit: number) {
    this.half = Math.max(1, Math.floor(limit / 2));
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  get(key: string): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined) return v;
    const o = this.old.get(key);
    if (o !== undefined) this.set(key, o);
    return o;
  }

  set(key: string, value: V): void {
    if (this.young.size >= this.half) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
  }
}

/** `fn` with a bounded memo in front; `fn` must be pure. */
export function memoized(
  fn: (s: string) => string,
  limit = 20_000,
): ((s: string) => string) & {
  memo: BoundedMemo<string>;
} {
  const memo = new BoundedMemo<string>(limit);
  const f = (s: string): string => {
    let v = memo.get(s);
    if (v === undefined) {
      v = fn(s);
      memo.set(s, v);
    }
    return v;
  };
  return Object.assign(f, { memo });
}
