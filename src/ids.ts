import { randomBytes } from 'node:crypto';

/** Random bytes drawn from the CSPRNG in one call per 4,096 ids, not one call per id. */
const POOL_IDS = 4096;
let pool = '';
let at = 0;

function randomHex16(): string {
  if (at >= pool.length) {
    pool = randomBytes(8 * POOL_IDS).toString('hex');
    at = 0;
  }
  const s = pool.slice(at, at + 16);
  at += 16;
  return s;
}

let lastMs = -1;
let lastTime = '';

/**
 * A new opaque id, time-ordered: `<prefix>_<base36 ms><16 hex>`. Ids never carry personal data.
 * The 64 random bits come from `crypto.randomBytes` like before, drawn in large chunks; each
 * chunk is used once, so ids stay unique across processes and restarts as they always were.
 */
export function newId(prefix: string): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastTime = ms.toString(36).padStart(9, '0');
  }
  return `${prefix}_${lastTime}${randomHex16()}`;
}
