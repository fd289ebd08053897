import * as crypto from 'node:crypto';

/**
 * JSON with object keys sorted, so that equal records give equal text. Own enumerable keys in
 * UTF-16 code unit order; a property whose value is `undefined` is left out; an array element
 * that JSON cannot write (undefined, a function) is written as nothing (`[1,]`); `toJSON` is
 * not called. One pass that appends to a string: this runs on every row of an import.
 */
export function stableStringify(value: unknown): string {
  // A record the mapping laid out in canonical order is written by the engine's own JSON.
  if (isCanonical(value)) return JSON.stringify(value);
  return write(value) as string;
}

/**
 * True when `JSON.stringify(value)` is exactly what `write(value)` gives: every object plain
 * (prototype Object or null) with its keys already in code unit order, every array plain, and
 * no function or symbol where the two would write it differently (a property: `undefined`
 * against nothing; an array element: nothing against `null`; an element that is undefined or a
 * hole the same). Other values (Dates, Maps, class instances) may have `toJSON` or be written
 * as their own properties: not canonical.
 */
function isCanonical(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return false;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const t = typeof v;
      if (t === 'undefined' || t === 'function' || t === 'symbol') return false;
      if (t === 'object' && v !== null && !isCanonical(v)) return false;
    }
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && keys[i - 1]! > keys[i]!) return false;
    const v = obj[keys[i]!];
    const t = typeof v;
    if (t === 'function' || t === 'symbol') return false;
    if (t === 'object' && v !== null && !isCanonical(v)) return false;
  }
  return true;
}

/** `JSON.stringify(key)` of the keys met so far: records repeat the same few hundred keys. */
const quoted = new Map<string, string>();

function quote(key: string): string {
  let q = quoted.get(key);
  if (q === undefined) {
    q = JSON.stringify(key);
    if (quoted.size >= 10_000) quoted.clear();
    quoted.set(key, q);
  }
  return q;
}

/** A string as JSON: quoted as is when nothing in it needs escaping (the usual case). */
function quoteValue(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return `"${s}"`;
}

function write(value: unknown): string | undefined {
  if (typeof value === 'string') return quoteValue(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const v = write(value[i]);
      if (v !== undefined) out += v;
    }
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (!isSorted(keys)) keys.sort(byCodeUnits);
  let out = '{';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = obj[k];
    if (v === undefined) continue;
    if (first) first = false;
    else out += ',';
    out += quote(k);
    out += ':';
    // Template semantics of the reference implementation: a value JSON cannot write is `undefined`.
    out += typeof v === 'string' ? quoteValue(v) : `${write(v)}`;
  }
  return `${out}}`;
}

function isSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Node ≥ 20.12 hashes a string in one call without a Hash object. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

export function sha256Hex(text: string): string {
  if (oneShot) return oneShot('sha256', text, 'hex');
  return crypto.createHash('sha256').update(text).digest('hex');
}
