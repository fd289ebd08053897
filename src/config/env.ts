import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
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
    Type.Literal('admin'),
  ],
  { $id: 'Scope' },
);
export type Scope = Static<typeof Scope>;

export const ApiKey = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    key: Type.String({ minLength: 16, description: 'secret' }),
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

/** The environment the hub reads (README, Configuration). */
export const Env = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ default: '127.0.0.1' }),
  HUB_DATA_DIR: Type.String({ default: './data' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_SCHEMA: Type.Optional(Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$' })),
  HUB_API_KEYS: Type.Optional(Type.String()),
  HUB_CONFIG: Type.Optional(Type.String()),
  HUB_OUTBOX_DIR: Type.Optional(Type.String()),
  HUB_MUNICIPALITY_CODE: Type.Optional(
    Type.String({
      pattern: '^\\d{6}$',
      description: 'this municipality: its 外字 table is used when writing CP932 files',
    }),
  ),
  HUB_MAX_UPLOAD_BYTES: Type.Integer({ minimum: 1, default: 2 * 1024 * 1024 * 1024 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
});
export type Env = Static<typeof Env>;

export interface Config {
  port: number;
  host: string;
  /** `memory://` for an in-memory PGlite, else a folder; ignored when `databaseUrl` is set. */
  dataDir: string;
  databaseUrl?: string;
  databaseSchema?: string;
  apiKeys: ApiKey[];
  hubConfigFile?: string;
  outboxDir: string;
  stagingDir: string;
  /** This municipality's 地方公共団体コード, whose 外字 table writers use. */
  municipalityCode?: string;
  maxUploadBytes: number;
  logLevel: Env['LOG_LEVEL'];
  /** The folder holding `mappings/` (the project root by default). */
  mappingsDir: string;
}

const projectRoot = path.resolve(import.meta.dirname, '..', '..');

/**
 * Reads and checks the environment once. Throws a HubError naming the variable on bad input,
 * so `serve` and the CLI fail at start-up rather than on the first request.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(Env.properties)) {
    const v = env[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const converted = Value.Convert(Env, Value.Default(Env, raw));
  const errors = [...Value.Errors(Env, converted)];
  if (errors.length > 0) {
    const e = errors[0]!;
    throw new HubError('HUB_ERR_CONFIG', {
      message: `環境変数 ${e.path.slice(1)} が正しくありません: ${e.message}`,
    });
  }
  const parsed = converted as Env;
  const apiKeys = parseApiKeys(parsed.HUB_API_KEYS);
  const memory = parsed.HUB_DATA_DIR === 'memory://';
  const dataDir = memory ? 'memory://' : path.resolve(parsed.HUB_DATA_DIR);
  const defaultConfigFile = path.resolve('hub.config.yaml');
  const hubConfigFile = parsed.HUB_CONFIG ?? (existsSync(defaultConfigFile) ? defaultConfigFile : undefined);
  const base = memory ? path.resolve('.') : dataDir;
  const config: Config = {
    port: parsed.PORT,
    host: parsed.HOST,
    dataDir,
    apiKeys,
    outboxDir: parsed.HUB_OUTBOX_DIR ? path.resolve(parsed.HUB_OUTBOX_DIR) : path.join(base, 'outbox'),
    stagingDir: path.join(memory ? path.resolve('.') : dataDir, 'staging'),
    maxUploadBytes: parsed.HUB_MAX_UPLOAD_BYTES,
    logLevel: parsed.LOG_LEVEL,
    mappingsDir: path.join(projectRoot, 'mappings'),
    ...(parsed.DATABASE_URL ? { databaseUrl: parsed.DATABASE_URL } : {}),
    ...(parsed.DATABASE_SCHEMA ? { databaseSchema: parsed.DATABASE_SCHEMA } : {}),
    ...(parsed.HUB_MUNICIPALITY_CODE ? { municipalityCode: parsed.HUB_MUNICIPALITY_CODE } : {}),
    ...(hubConfigFile ? { hubConfigFile } : {}),
  };
  return { ...config, ...overrides };
}

function parseApiKeys(text: string | undefined): ApiKey[] {
  if (!text) return [];
  let value: unknown;
  try {
    value = JSON.parse(text.startsWith('@') ? readFileSync(text.slice(1), 'utf8') : text);
  } catch {
    throw new HubError('HUB_ERR_CONFIG', { message: 'HUB_API_KEYS は JSON 配列である必要があります' });
  }
  const schema = Type.Array(ApiKey);
  const first = [...Value.Errors(schema, value)][0];
  if (first) {
    throw new HubError('HUB_ERR_CONFIG', { message: `HUB_API_KEYS${first.path}: ${first.message}` });
  }
  const keys = value as ApiKey[];
  const ids = new Set<string>();
  for (const k of keys) {
    if (ids.has(k.id))
      throw new HubError('HUB_ERR_CONFIG', { message: `HUB_API_KEYS: id ${k.id} が重複しています` });
    ids.add(k.id);
  }
  return keys;
}
