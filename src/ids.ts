import { randomBytes } from 'node:crypto';

/** A new opaque id, time-ordered: `<prefix>_<base36 ms><16 hex>`. Ids never carry personal data. */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${randomBytes(8).toString('hex')}`;
}
