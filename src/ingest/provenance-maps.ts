import { createHash } from 'node:crypto';

/**
 * The column maps of one run (canonical field → source column as the file spelled it), stored
 * once each in `provenance_maps` and referenced by every person the run writes. A run's map
 * grows as rows fill fields earlier rows left empty; a person's provenance on read is the map's
 * entries for the fields its record has, so a grown map is still true for earlier rows.
 */
export class ProvenanceMaps {
  private columns: Record<string, string> = {};
  private id = '';
  private fresh: { id: string; columns: Record<string, string> }[] = [];
  /** The mapping shares one (frozen) `sources` between rows with the same fields. */
  private lastSources: Record<string, string> | undefined;

  /** The id of a map that holds every entry of `sources`. */
  idFor(sources: Record<string, string>): string {
    if (sources === this.lastSources) return this.id;
    this.lastSources = sources;
    let grown = false;
    for (const target in sources) {
      const column = sources[target]!;
      const known = this.columns[target];
      if (known === column) continue;
      // The same field from another column (a reader that renames per record): a new map.
      this.columns = known === undefined ? { ...this.columns, [target]: column } : { ...sources };
      grown = true;
    }
    if (grown || this.id === '') {
      const text = JSON.stringify(
        Object.fromEntries(Object.entries(this.columns).sort(([a], [b]) => (a < b ? -1 : 1))),
      );
      this.id = createHash('sha256').update(text).digest('base64url').slice(0, 22);
      this.fresh.push({ id: this.id, columns: this.columns });
    }
    return this.id;
  }

  /** Maps made since the last call, to be stored. */
  takeNew(): { id: string; columns: Record<string, string> }[] {
    const taken = this.fresh;
    this.fresh = [];
    return taken;
  }
}
