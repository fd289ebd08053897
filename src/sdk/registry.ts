import { HubError } from '../errors.ts';
import type { Adapter, ReadAdapter } from './adapter.ts';

export interface AdapterRegistry {
  list(): Adapter[];
  get(id: string): Adapter | undefined;
  /** The read adapter `id`, or a HubError for an unknown id or a write-only adapter. */
  reader(id: string): ReadAdapter;
}

export function createAdapterRegistry(adapters: readonly Adapter[]): AdapterRegistry {
  const byId = new Map<string, Adapter>();
  for (const a of adapters) {
    if (byId.has(a.manifest.id)) throw new Error(`adapter ${a.manifest.id} is listed twice`);
    byId.set(a.manifest.id, a);
  }
  return {
    list: () => [...byId.values()],
    get: (id) => byId.get(id),
    reader(id) {
      const a = byId.get(id);
      if (!a) throw new HubError('HUB_ERR_ADAPTER_UNKNOWN', { adapter: id });
      if (a.manifest.direction !== 'read') throw new HubError('HUB_ERR_ADAPTER_NOT_READER', { adapter: id });
      return a;
    },
  };
}
