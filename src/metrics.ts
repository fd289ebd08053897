import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** What the gauges read at scrape time (from the database, shared by every instance). */
export interface MetricSources {
  /** Target ids, so that a target with no deliveries still reports zeros. */
  targets(): string[];
  deliveryCounts(): Promise<{ target: string; status: string; count: number }[]>;
  outbox(): Promise<{ depth: number; oldestAgeSeconds: number | null }>;
  lastImports(): Promise<{ adapter: string; source?: string; lastSuccessAt?: string }[]>;
}

const deliveryStatuses = ['pending', 'delivered', 'failed', 'dead'];

/**
 * The hub's Prometheus metrics, one registry per app (tests build many). Counters count what
 * this process did; gauges are read from the database when scraped, so every instance of a
 * shared PostgreSQL reports the same values (alert on `max`).
 */
export function createMetrics(sources?: MetricSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hub_' });
  const registers = [registry];
  new Gauge({
    name: 'hub_deliveries',
    help: 'Deliveries in the outbox by target and status (pending, delivered, failed, dead)',
    labelNames: ['target', 'status'],
    registers,
    async collect() {
      if (!sources) return;
      const counts = await sources.deliveryCounts();
      this.reset();
      const targets = new Set([...sources.targets(), ...counts.map((c) => c.target)]);
      for (const target of targets) for (const status of deliveryStatuses) this.set({ target, status }, 0);
      for (const c of counts) this.set({ target: c.target, status: c.status }, c.count);
    },
  });
  new Gauge({
    name: 'hub_outbox_depth',
    help: 'Deliveries still to make (pending or failed, not dead)',
    registers,
    async collect() {
      if (sources) this.set((await sources.outbox()).depth);
    },
  });
  new Gauge({
    name: 'hub_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest delivery still to make; 0 when the outbox is empty',
    registers,
    async collect() {
      if (sources) this.set((await sources.outbox()).oldestAgeSeconds ?? 0);
    },
  });
  new Gauge({
    name: 'hub_import_last_success_timestamp_seconds',
    help: 'When each source last applied a file (succeeded, partial or unchanged), Unix seconds',
    labelNames: ['adapter', 'source'],
    registers,
    async collect() {
      if (!sources) return;
      const imports = await sources.lastImports();
      this.reset();
      for (const i of imports)
        if (i.lastSuccessAt)
          this.set({ adapter: i.adapter, source: i.source ?? '' }, Date.parse(i.lastSuccessAt) / 1000);
    },
  });
  return {
    registry,
    httpRequests: new Counter({
      name: 'hub_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    importsTotal: new Counter({
      name: 'hub_imports_total',
      help: 'Import runs by adapter and status (succeeded, partial, unchanged, failed)',
      labelNames: ['adapter', 'status'],
      registers,
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
      registers,
    }),
    deadDeliveries: new Counter({
      name: 'hub_deliveries_dead_total',
      help: 'Deliveries that went dead (every attempt failed) by target',
      labelNames: ['target'],
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
