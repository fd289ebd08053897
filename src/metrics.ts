import { Counter, collectDefaultMetrics, Registry } from 'prom-client';

/** The hub's Prometheus metrics, one registry per app (tests build many). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hub_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'hub_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    importsTotal: new Counter({
      name: 'hub_imports_total',
      help: 'Import runs by adapter and status (succeeded, partial, unchanged, failed)',
      labelNames: ['adapter', 'status'],
      registers: [registry],
    }),
    importWarnings: new Counter({
      name: 'hub_import_warnings_total',
      help: 'Run-level import warnings by adapter and code (e.g. HUB_ERR_UNKNOWN_COLUMN)',
      labelNames: ['adapter', 'code'],
      registers: [registry],
    }),
    importRows: new Counter({
      name: 'hub_import_rows_total',
      help: 'Rows read by imports, accepted or rejected',
      labelNames: ['adapter', 'outcome'],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
