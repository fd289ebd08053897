import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { adapters as shippedAdapters, writers } from '../adapters/index.ts';
import { createDisclosure, type Disclosure } from './access/disclosure.ts';
import { hashKey } from './config/api-keys.ts';
import type { Config } from './config/env.ts';
import { loadHubConfig } from './config/hub-config.ts';
import { registerConsole } from './console/console-plugin.ts';
import { createDispatcher, type Dispatcher } from './delivery/dispatcher.ts';
import { defaultTargets, handoffOf, type Target } from './delivery/targets.ts';
import { HubError } from './errors.ts';
import { type ImportOptions, type ImportSource, type IngestDeps, runImport } from './ingest/run-import.ts';
import { createStagingThreads } from './ingest/staging-threads.ts';
import { createJobs, type Jobs } from './jobs/runner.ts';
import { serverOptions } from './logger.ts';
import { type MappingCatalog, requireMappingCatalog } from './mapping/catalog.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { reportImport } from './operations/import-signals.ts';
import { authPlugin } from './plugins/auth.ts';
import { corsPlugin } from './plugins/cors.ts';
import { errorsPlugin } from './plugins/errors.ts';
import { hardeningPlugin } from './plugins/hardening.ts';
import { healthRoutes } from './routes/health.ts';
import { finishOpenApiDocument } from './routes/openapi-document.ts';
import { schemaController } from './routes/schema-compilers.ts';
import { v1Routes } from './routes/v1/index.ts';
import { newLocalKey } from './runtime/local-server.ts';
import { ownerIsGone } from './runtime/owner.ts';
import { createStaging, type Staging } from './runtime/staging.ts';
import { allSchemas } from './schemas/index.ts';
import type { Adapter } from './sdk/adapter.ts';
import { type AdapterRegistry, createAdapterRegistry } from './sdk/registry.ts';
import { type AuditRepository, createAuditRepository } from './store/audit-repo.ts';
import { type CertificatesRepository, createCertificatesRepository } from './store/certificates-repo.ts';
import { createStore, type Store } from './store/db.ts';
import { createDeliveriesRepository, type DeliveriesRepository } from './store/deliveries-repo.ts';
import { createDisclosureRepository } from './store/disclosure-repo.ts';
import { createEnrolmentsRepository, type EnrolmentsRepository } from './store/enrolments-repo.ts';
import { createImportsRepository, type ImportsRepository } from './store/imports-repo.ts';
import { createPersonsRepository, type PersonsRepository } from './store/persons-repo.ts';
import { createSubmissionsRepository, type SubmissionsRepository } from './store/submissions-repo.ts';
import { createVisitsRepository, type VisitsRepository } from './visits/repo.ts';

export interface Hub {
  config: Config;
  store: Store;
  adapters: AdapterRegistry;
  mappings: MappingCatalog;
  persons: PersonsRepository;
  certificates: CertificatesRepository;
  enrolments: EnrolmentsRepository;
  visits: VisitsRepository;
  submissions: SubmissionsRepository;
  targets: Target[];
  /** This process's staging folder (spooled uploads, inbound copies). */
  staging: Staging;
  dispatcher: Dispatcher;
  jobs: Jobs;
  imports: ImportsRepository;
  deliveries: DeliveriesRepository;
  audit: AuditRepository;
  /** The one place that decides what a client sees of a person (src/access/disclosure.ts). */
  disclosure: Disclosure;
  metrics: Metrics;
  /**
   * The key a CLI import on this data folder uses to hand its files to this hub when it
   * serves (`imports:write` only); returned once, then forgotten. Undefined without a folder.
   */
  takeLocalKey(): string | undefined;
  importFile(source: ImportSource, options: ImportOptions): ReturnType<typeof runImport>;
}

declare module 'fastify' {
  interface FastifyInstance {
    hub: Hub;
  }
}

export type App = FastifyInstance;

export interface BuildOptions {
  adapters?: readonly Adapter[];
  /** An already opened store (the CLI shares one between commands). */
  store?: Store;
  /** Where log lines go (tests read them); standard output by default. */
  logStream?: DestinationStream;
}

/**
 * Builds the hub: store (migrated), adapters, mappings (validated), and the HTTP app. Used by
 * `serve`, the CLI and the tests alike; only `src/server.ts` listens. Closing the app closes
 * the store.
 */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<App> {
  const app = Fastify({
    ...serverOptions(config.logLevel, options.logStream, config.limits),
    schemaController,
  }).withTypeProvider<TypeBoxTypeProvider>();
  const adapters = createAdapterRegistry(options.adapters ?? shippedAdapters);
  const mappings = requireMappingCatalog(
    config.mappingsDir,
    adapters.list().map((a) => a.manifest.id),
  );
  const hubConfig = loadHubConfig(config.hubConfigFile);
  for (const id of Object.keys(hubConfig.sources ?? {})) {
    if (!adapters.list().some((a) => a.manifest.id === id && a.manifest.direction === 'read'))
      throw new HubError('HUB_ERR_CONFIG', {
        message: `HUB_CONFIG sources: 読込アダプタ ${id} はありません`,
      });
  }
  const store =
    options.store ??
    (await createStore({
      dataDir: config.dataDir,
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
      ...(config.databaseSchema ? { databaseSchema: config.databaseSchema } : {}),
      // It is migrated next: an in-memory one may start from the migrated template.
      migratedTemplate: true,
    }));
  try {
    await store.migrate();
  } catch (e) {
    await store.close();
    throw e;
  }
  const imports = createImportsRepository(store.db);
  // Only one embedded process uses a PGlite folder, so a `running` run left there is dead; on
  // PostgreSQL only the runs of processes that are certainly gone (src/runtime/owner.ts).
  await imports.failInterrupted(store.kind === 'pglite' ? undefined : ownerIsGone);
  // Spooled uploads and inbound copies of processes that were killed hold personal data.
  const staging = createStaging(config.stagingDir);
  const swept = await staging.sweep();
  if (swept > 0) app.log.warn({ folders: swept }, 'staging of a stopped hub removed');
  if (!config.outboxDir)
    app.log.warn('HUB_OUTBOX_DIR is not set: deliveries to folder targets fail until it is');
  const deliveries = createDeliveriesRepository(store.db);
  const metrics = createMetrics({
    targets: () => targets.map((t) => t.id),
    deliveryCounts: () => deliveries.countsByTarget(),
    outbox: () => deliveries.outbox(),
    lastImports: () => imports.latestPerSource(),
  });
  const targets = defaultTargets(writers, config.outboxDir).map((t) => {
    const o = hubConfig.targets?.[t.id];
    return {
      ...t,
      ...(o?.transport ? { transport: o.transport } : {}),
      ...(o?.maxAttempts ? { maxAttempts: o.maxAttempts } : {}),
    };
  });
  // Every form says where it goes: a target that imports it, or paper (refused at start otherwise).
  for (const form of mappings.forms.values()) handoffOf(targets, form);
  const dispatcher = createDispatcher({
    db: store.db,
    targets,
    mappings,
    log: app.log,
    ...(config.municipalityCode ? { municipalityCode: config.municipalityCode } : {}),
    onDead: (target) => metrics.deadDeliveries.inc({ target }),
  });
  // A CLI import cannot open the locked folder while this hub serves: it hands its files over.
  let localKey = store.kind === 'pglite' && config.dataDir !== 'memory://' ? newLocalKey() : undefined;
  const localKeys = localKey
    ? [{ id: 'local-cli', scopes: ['imports:write' as const], keyHash: hashKey(localKey) }]
    : [];
  const ingestDeps: IngestDeps = {
    db: store.db,
    copyInto: store.copyInto,
    // Threads load the shipped adapters themselves: a hub built with other adapters reads in its own thread.
    ...(config.importThreads > 0 && !options.adapters
      ? { threads: createStagingThreads(config.importThreads, config.mappingsDir) }
      : {}),
    adapters,
    mappings,
    log: app.log,
    sources: hubConfig.sources ?? {},
  };
  const hub: Hub = {
    config,
    store,
    adapters,
    mappings,
    persons: createPersonsRepository(store.db),
    certificates: createCertificatesRepository(store.db),
    enrolments: createEnrolmentsRepository(store.db),
    visits: createVisitsRepository(store.db),
    submissions: createSubmissionsRepository(store.db),
    targets,
    staging,
    dispatcher,
    jobs: createJobs({
      db: store.db,
      kind: store.kind,
      jobs: hubConfig.jobs ?? [],
      staging,
      dispatcher,
      importFile: (source, options) => hub.importFile(source, options),
      log: app.log,
    }),
    imports,
    deliveries,
    audit: createAuditRepository(store.db),
    disclosure: createDisclosure(createDisclosureRepository(store.db)),
    metrics,
    takeLocalKey() {
      const key = localKey;
      localKey = undefined;
      return key;
    },
    async importFile(source, importOptions) {
      const run = await runImport(ingestDeps, source, importOptions);
      reportImport(run, metrics, app.log);
      for (const w of run.warnings) metrics.importWarnings.inc({ adapter: run.adapter, code: w.code });
      return run;
    },
  };
  app.decorate('hub', hub);
  app.addHook('onClose', async () => staging.remove());
  app.addHook('onClose', async () => ingestDeps.threads?.close());
  if (!options.store) app.addHook('onClose', async () => store.close());

  for (const schema of allSchemas) app.addSchema(schema);
  await app.register(errorsPlugin);
  await app.register(hardeningPlugin, { limits: config.limits });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'madoguchi-hub',
        version: '1',
        license: { name: 'MIT', identifier: 'MIT' },
        description:
          '書かないワンストップ窓口の連携ハブ: 基幹システムのデータを正準モデルで提供し、受付結果を各システムへ戻す。',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
      tags: [
        { name: 'imports', description: '取込' },
        { name: 'residents', description: '住民・世帯' },
        { name: 'visits', description: '来庁・手続ナビ・申請書' },
        { name: 'operations', description: '運用' },
      ],
    },
    transformObject: (documentObject) =>
      finishOpenApiDocument(
        ('openapiObject' in documentObject
          ? documentObject.openapiObject
          : documentObject.swaggerObject) as Record<string, unknown>,
      ),
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (json.$id as string) || `def-${i}` },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(authPlugin, {
    apiKeys: config.apiKeys,
    ...(config.apiKeysFile ? { apiKeysFile: config.apiKeysFile } : {}),
    fixedKeys: localKeys,
    visitBelongsTo: (visitId, clientId) => hub.visits.belongsTo(visitId, clientId),
  });
  await app.register(corsPlugin, { apiKeys: config.apiKeys });
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequests.inc({
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    });
  });
  await app.register(healthRoutes);
  await app.register(v1Routes, { prefix: '/v1' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await registerConsole(app);
  return app;
}
