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
      help: 'Import runs by adapter and status',
      labelNames: ['adapter', 'status'],
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
