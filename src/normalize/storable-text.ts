/**
 * Characters no store can hold as text: NUL (PostgreSQL refuses it in `text` and `jsonb`) and
 * UTF-16 surrogates without their pair (not Unicode scalar values: `jsonb` refuses them, and
 * UTF-8 encoding would silently turn them into U+FFFD). Input carrying them is refused with a
 * code (HUB_ERR_INVALID_CHARACTER for a row, HUB_ERR_REQUEST_CHARACTER for a request), never
 * passed on to the database.
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

export type Unstorable = { index: number; what: string };

/** The first unstorable character of `text` and a name for it, or undefined. */
export function findUnstorable(text: string): Unstorable | undefined {
  const m = UNSTORABLE.exec(text);
  if (!m) return undefined;
  const c = m[0].charCodeAt(0);
  return {
    index: m.index,
    what: c === 0 ? 'NUL (U+0000)' : `対のないサロゲート U+${c.toString(16).toUpperCase()}`,
  };
}

/** Replaces every unstorable character by U+FFFD: for texts the hub itself writes (messages). */
export function scrubUnstorable(text: string): string {
  return UNSTORABLE.test(text) ? text.replace(UNSTORABLE_ALL, '\ufffd') : text;
}

/**
 * The first unstorable character anywhere in a JSON-like value (strings and object keys), with
 * the path to it (`a.b[2]`), or undefined.
 */
export function findUnstorableIn(value: unknown, path = ''): (Unstorable & { path: string }) | undefined {
  if (typeof value === 'string') {
    const u = findUnstorable(value);
    return u ? { ...u, path } : undefined;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const u = findUnstorableIn(v, `${path}[${i}]`);
      if (u) return u;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const here = path ? `${path}.${k}` : k;
      const inKey = findUnstorable(k);
      if (inKey) return { ...inKey, path: here };
      const u = findUnstorableIn(v, here);
      if (u) return u;
    }
  }
  return undefined;
}

/**
 * A file name that is only a name: not empty, not `.` or `..`, no path separator, no control
 * character and nothing unstorable. Uploads (`X-File-Name`) and inbound jobs' remote listings
 * are checked with it before the name is used anywhere.
 */
export function isPlainFileName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 255 &&
    name !== '.' &&
    name !== '..' &&
    !/[/\\\u0000-\u001f\u007f]/.test(name) &&
    !findUnstorable(name)
  );
}
