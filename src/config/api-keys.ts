import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { HubError } from '../errors.ts';

export const Scope = Type.Union(
  [
    Type.Literal('residents:read'),
    Type.Literal('mynumber:read'),
    Type.Literal('visits:write'),
    Type.Literal('submissions:write'),
    Type.Literal('imports:write'),
    Type.Literal('jobs:run'),
    Type.Literal('audit:read'),
    Type.Literal('metrics:read'),
    Type.Literal('console'),
    Type.Literal('admin'),
  ],
  { $id: 'Scope' },
);
export type Scope = Static<typeof Scope>;

/** One entry of HUB_API_KEYS: the key itself, or only its hash. */
export const ApiKey = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    key: Type.Optional(Type.String({ minLength: 16, description: 'secret' })),
    keyHash: Type.Optional(Type.String({ description: 'sha256:<hex> or scrypt:N:r:p:salt:hash' })),
    scopes: Type.Array(Scope),
    origins: Type.Optional(
      Type.Array(Type.String({ pattern: '^https?://[^/\\s]+$' }), {
        description: 'browser origins this client calls from (CORS); none: no browser may call with this key',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ApiKey = Static<typeof ApiKey>;

/** A client's key as the hub keeps it: never the key itself, only its hash. */
export interface StoredKey {
  id: string;
  scopes: Scope[];
  /** `sha256:<hex>` or `scrypt:<N>:<r>:<p>:<salt>:<hash>` (base64url). */
  keyHash: string;
  /** Browser origins this client calls from (CORS). */
  origins?: string[];
}

const SCRYPT = /^scrypt:(\d+):(\d+):(\d+):([A-Za-z0-9_-]+):([A-Za-z0-9_-]+)$/;
const SHA256 = /^sha256:[0-9a-f]{64}$/;

const sha256 = (key: string) => createHash('sha256').update(key, 'utf8').digest();

/**
 * The hash to put in `keyHash` for a key: `sha256:<hex>` (enough for the long random keys the
 * hub expects), or with `scrypt` a salted scrypt hash for keys chosen by people.
 */
export function hashKey(key: string, kind: 'sha256' | 'scrypt' = 'sha256'): string {
  if (kind === 'sha256') return `sha256:${sha256(key).toString('hex')}`;
  const salt = randomBytes(16);
  const N = 16384;
  const hash = scryptSync(key, salt, 32, { N, r: 8, p: 1 });
  return `scrypt:${N}:8:1:${salt.toString('base64url')}:${hash.toString('base64url')}`;
}

/** Whether `given` is the key whose hash is `keyHash`, compared in constant time. */
export function keyMatches(keyHash: string, given: string): boolean {
  if (keyHash.startsWith('sha256:')) {
    return timingSafeEqual(Buffer.from(keyHash.slice(7), 'hex'), sha256(given));
  }
  const m = SCRYPT.exec(keyHash);
  if (!m) return false;
  const expected = Buffer.from(m[5]!, 'base64url');
  const actual = scryptSync(given, Buffer.from(m[4]!, 'base64url'), expected.length, {
    N: Number(m[1]),
    r: Number(m[2]),
    p: Number(m[3]),
    maxmem: 256 * 1024 * 1024,
  });
  return timingSafeEqual(expected, actual);
}

const fail = (message: string) => new HubError('HUB_ERR_CONFIG', { message });

/**
 * Reads `HUB_API_KEYS` (a JSON array, or `@file`): each entry has `key` (at least 16
 * characters; only its SHA-256 is kept) or `keyHash` (`sha256:<hex>` or a scrypt hash from
 * `madoguchi-hub keys hash`). Throws `HUB_ERR_CONFIG` naming the entry on bad input.
 */
export function parseApiKeys(text: string | undefined): StoredKey[] {
  if (!text) return [];
  let value: unknown;
  try {
    value = JSON.parse(text.startsWith('@') ? readFileSync(text.slice(1), 'utf8') : text);
  } catch {
    throw fail('HUB_API_KEYS は JSON 配列である必要があります');
  }
  const schema = Type.Array(ApiKey);
  const first = [...Value.Errors(schema, value)][0];
  if (first) throw fail(`HUB_API_KEYS${first.path}: ${first.message}`);
  const ids = new Set<string>();
  return (value as ApiKey[]).map((k, i) => {
    if (ids.has(k.id)) throw fail(`HUB_API_KEYS: id ${k.id} が重複しています`);
    ids.add(k.id);
    if ((k.key === undefined) === (k.keyHash === undefined))
      throw fail(`HUB_API_KEYS/${i}: key か keyHash のどちらか一つを指定してください`);
    if (k.keyHash !== undefined) {
      const m = SCRYPT.exec(k.keyHash);
      const scryptOk = m && Number(m[1]) >= 1024 && Number(m[1]) <= 2 ** 17 && Number(m[2]) <= 32;
      if (!SHA256.test(k.keyHash) && !scryptOk)
        throw fail(`HUB_API_KEYS/${i}/keyHash: sha256:<64桁の16進> か scrypt のハッシュではありません`);
    }
    return {
      id: k.id,
      scopes: k.scopes,
      keyHash: k.keyHash ?? hashKey(k.key!),
      ...(k.origins ? { origins: k.origins } : {}),
    };
  });
}
