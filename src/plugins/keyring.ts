import { createHash } from 'node:crypto';
import { unwatchFile, watchFile } from 'node:fs';
import type { FastifyBaseLogger } from 'fastify';
import { keyMatches, parseApiKeys, type StoredKey } from '../config/api-keys.ts';

/**
 * The clients' keys in memory, hashed, and reloadable: from the file of `HUB_API_KEYS=@file`
 * on SIGHUP and whenever the file changes. A file that fails to parse keeps the keys in use
 * (and is logged), so that a typo does not lock every counter out.
 */
export function createKeyring(options: {
  keys: StoredKey[];
  /** Keys that a reload keeps (the local CLI's key of a running server). */
  fixed?: StoredKey[];
  file?: string;
  log: FastifyBaseLogger;
  /** How often the file is checked for changes (ms). */
  intervalMs?: number;
}) {
  const fixed = options.fixed ?? [];
  let keys = [...options.keys, ...fixed];
  // A scrypt check costs tens of milliseconds: a key once verified is found by its SHA-256.
  let verified = new Map<string, StoredKey>();

  function reload(): boolean {
    if (!options.file) return false;
    try {
      keys = [...parseApiKeys(`@${options.file}`), ...fixed];
      verified = new Map();
      options.log.info({ keys: keys.length }, 'API keys reloaded');
      return true;
    } catch (e) {
      options.log.error({ err: (e as Error).message }, 'API keys not reloaded; the keys in use stay');
      return false;
    }
  }

  const onChange = () => void reload();
  const onSignal = () => void reload();

  return {
    /** The client whose key this is, or undefined. Every sha256 entry is compared, in constant time. */
    find(given: string): StoredKey | undefined {
      const digest = createHash('sha256').update(given, 'utf8').digest('hex');
      const cached = verified.get(digest);
      if (cached && keys.includes(cached)) return cached;
      let found: StoredKey | undefined;
      for (const k of keys) {
        if (k.keyHash.startsWith('sha256:') && keyMatches(k.keyHash, given) && !found) found = k;
      }
      if (found) return found;
      for (const k of keys) {
        if (k.keyHash.startsWith('scrypt:') && keyMatches(k.keyHash, given)) {
          verified.set(digest, k);
          return k;
        }
      }
      return undefined;
    },
    /** The client with this id while its key is configured (a reload may remove it). */
    byId(id: string): StoredKey | undefined {
      return keys.find((k) => k.id === id);
    },
    reload,
    /** Watches the key file and SIGHUP; `stop()` ends both. */
    start() {
      if (!options.file) return;
      watchFile(options.file, { interval: options.intervalMs ?? 500, persistent: false }, onChange);
      process.on('SIGHUP', onSignal);
    },
    stop() {
      if (!options.file) return;
      unwatchFile(options.file, onChange);
      process.off('SIGHUP', onSignal);
    },
  };
}

export type Keyring = ReturnType<typeof createKeyring>;
