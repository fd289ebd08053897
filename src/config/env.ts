import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { HubError } from '../errors.ts';
import { parseApiKeys, type StoredKey } from './api-keys.ts';

export type { ApiKey, Scope } from './api-keys.ts';

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
  HUB_RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: 1200 }),
  HUB_MAX_IN_FLIGHT: Type.Integer({ minimum: 1, default: 256 }),
  HUB_IMPORT_THREADS: Type.Integer({
    minimum: 0,
    default: 1,
    description: 'worker threads that read and map person files (0: the hub thread itself)',
  }),
  HUB_MAX_EVENT_LOOP_DELAY_MS: Type.Integer({ minimum: 0, default: 0 }),
  HUB_HEADERS_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 30_000 }),
  HUB_REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 3_600_000 }),
  HUB_BODY_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 30_000 }),
  HUB_BODY_MIN_BYTES_PER_SECOND: Type.Integer({ minimum: 0, default: 1024 }),
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
  /** The clients' keys, hashed (the keys themselves are not kept). */
  apiKeys: StoredKey[];
  /** The file named by `HUB_API_KEYS=@file`: re-read on SIGHUP and when it changes. */
  apiKeysFile?: string;
  hubConfigFile?: string;
  /**
   * Where the `folder` transport writes: `HUB_OUTBOX_DIR`, else `<HUB_DATA_DIR>/outbox`. Unset
   * with `memory://` and no `HUB_OUTBOX_DIR`: folder deliveries then fail with
   * `HUB_ERR_OUTBOX_NOT_CONFIGURED` rather than write personal data into the current folder.
   */
  outboxDir?: string;
  /** Spool and job staging: `<HUB_DATA_DIR>/staging`, or under the system's temp folder with `memory://`. */
  stagingDir: string;
  /** This municipality's 地方公共団体コード, whose 外字 table writers use. */
  municipalityCode?: string;
  maxUploadBytes: number;
  /** Bounds on requests: rate, concurrency, event-loop delay and the timeouts (README, Limits). */
  limits: RequestLimits;
  logLevel: Env['LOG_LEVEL'];
  /** The folder holding `mappings/` (the project root by default). */
  mappingsDir: string;
  /** Worker threads for reading and mapping person files (0: in the hub's own thread). */
  importThreads: number;
}

export interface RequestLimits {
  /** Requests per minute and client (API key id; the address for requests without a key). */
  ratePerMinute: number;
  /** Requests handled at once; more answer 503 with Retry-After. */
  maxInFlight: number;
  /**
   * Event-loop delay above which requests answer 503 (0: not checked, the default: the embedded
   * PGlite runs on the event loop, so long queries delay it by design).
   */
  maxEventLoopDelayMs: number;
  /** Time to receive a request's headers. */
  headersTimeoutMs: number;
  /** Time to receive a whole request (0: none; the body rate below still applies). */
  requestTimeoutMs: number;
  /** Longest wait for the next bytes of a body; also the grace before the rate is checked. */
  bodyTimeoutMs: number;
  /** Slowest average body rate accepted after the grace (0: not checked). */
  bodyMinBytesPerSecond: number;
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
  const config: Config = {
    port: parsed.PORT,
    host: parsed.HOST,
    dataDir,
    apiKeys,
    stagingDir: memory ? path.join(tmpdir(), 'madoguchi-hub-staging') : path.join(dataDir, 'staging'),
    maxUploadBytes: parsed.HUB_MAX_UPLOAD_BYTES,
    limits: {
      ratePerMinute: parsed.HUB_RATE_LIMIT_PER_MINUTE,
      maxInFlight: parsed.HUB_MAX_IN_FLIGHT,
      maxEventLoopDelayMs: parsed.HUB_MAX_EVENT_LOOP_DELAY_MS,
      headersTimeoutMs: parsed.HUB_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: parsed.HUB_REQUEST_TIMEOUT_MS,
      bodyTimeoutMs: parsed.HUB_BODY_TIMEOUT_MS,
      bodyMinBytesPerSecond: parsed.HUB_BODY_MIN_BYTES_PER_SECOND,
    },
    logLevel: parsed.LOG_LEVEL,
    mappingsDir: path.join(projectRoot, 'mappings'),
    importThreads: parsed.HUB_IMPORT_THREADS,
    ...(parsed.DATABASE_URL ? { databaseUrl: parsed.DATABASE_URL } : {}),
    ...(parsed.DATABASE_SCHEMA ? { databaseSchema: parsed.DATABASE_SCHEMA } : {}),
    ...(parsed.HUB_MUNICIPALITY_CODE ? { municipalityCode: parsed.HUB_MUNICIPALITY_CODE } : {}),
    ...(hubConfigFile ? { hubConfigFile } : {}),
    ...(parsed.HUB_API_KEYS?.startsWith('@')
      ? { apiKeysFile: path.resolve(parsed.HUB_API_KEYS.slice(1)) }
      : {}),
  };
  if (parsed.HUB_OUTBOX_DIR) config.outboxDir = path.resolve(parsed.HUB_OUTBOX_DIR);
  else if (!memory) config.outboxDir = path.join(dataDir, 'outbox');
  return { ...config, ...overrides };
}
