import { PGlite } from '@electric-sql/pglite';

/**
 * An in-memory PGlite (`memory://`: tests, the demo) starts from the data folder of the first
 * one this process migrated from empty: `initdb` and the migrations take ~3 s in WebAssembly,
 * loading the migrated folder ~0.6 s. The folder is kept uncompressed in this process's memory
 * (~40 MB). A process may also be handed the folder another one made (`useMemoryTemplate`: the
 * test suite makes it once for all its workers).
 */
let migrated: Blob | undefined;

/** An in-memory PGlite: empty, or from the migrated template when asked for and there is one. */
export function createMemoryPGlite(fromTemplate: boolean): Promise<PGlite> {
  return PGlite.create(fromTemplate && migrated ? { loadDataDir: migrated } : undefined);
}

/** Keeps `pglite`'s folder as the template; called when it was migrated from empty just now. */
export async function keepMigratedTemplate(pglite: PGlite): Promise<void> {
  if (!migrated) migrated = await pglite.dumpDataDir('none');
}

/** The migrated folder this process keeps, if any (a tar archive). */
export function memoryTemplate(): Blob | undefined {
  return migrated;
}

/** Starts this process's in-memory databases from `folder`, a migrated data folder of this version. */
export function useMemoryTemplate(folder: Blob): void {
  migrated = folder;
}
