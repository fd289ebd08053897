/**
 * Serialised person views, kept per person for one row version: a read of an unchanged person
 * under the same cut answers the bytes built before instead of building the view and the JSON
 * again. Bounded by the total size of the bodies (UTF-8 bytes, kept outside the JS heap); the
 * least recently used persons go first.
 * Only what a cut allowed is kept, keyed by that cut, so a body never reaches a viewer with
 * another cut; whether the viewer may see the person at all is decided on every read.
 */
export interface CachedView {
  body: Buffer;
  /** The record fields the body discloses (for the audit). */
  fields: string[];
}

interface Entry {
  version: string;
  views: Map<string, CachedView>;
  bytes: number;
}

export class ViewCache {
  private readonly persons = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** The version of a person's row that views are kept for, if any. */
  version(id: string): string | undefined {
    return this.persons.get(id)?.version;
  }

  get(id: string, version: string, cut: string): CachedView | undefined {
    const entry = this.persons.get(id);
    if (!entry || entry.version !== version) return undefined;
    const view = entry.views.get(cut);
    if (view) {
      // Most recently used last.
      this.persons.delete(id);
      this.persons.set(id, entry);
    }
    return view;
  }

  set(id: string, version: string, cut: string, view: CachedView): void {
    if (this.maxBytes <= 0 || view.body.length > this.maxBytes / 8) return;
    let entry = this.persons.get(id);
    if (entry && entry.version !== version) {
      this.drop(id);
      entry = undefined;
    }
    if (!entry) {
      entry = { version, views: new Map(), bytes: 0 };
      this.persons.set(id, entry);
    }
    const before = entry.views.get(cut);
    if (before) {
      entry.bytes -= before.body.length;
      this.bytes -= before.body.length;
    }
    entry.views.set(cut, view);
    entry.bytes += view.body.length;
    this.bytes += view.body.length;
    for (const oldest of this.persons.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(oldest);
    }
  }

  /** Forgets a person (their row changed or is gone). */
  drop(id: string): void {
    const entry = this.persons.get(id);
    if (!entry) return;
    this.bytes -= entry.bytes;
    this.persons.delete(id);
  }

  get size(): number {
    return this.persons.size;
  }
}
