import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ownerIsGone, processOwner } from './owner.ts';

const OWNER_FILE = '.owner';
const PREFIX = 'run-';

/**
 * Staging: where uploads are spooled and inbound jobs copy files while they are imported.
 * Every hub stages in its own folder `<root>/run-<pid>-<random>-<n>/` that names its process, so
 * that what a killed process left behind is recognised and removed at the next start-up
 * (`sweep`), while another live process's files are left alone.
 */
let made = 0;

export function createStaging(root: string) {
  const id = `${processOwner.split('/').slice(1).join('-')}-${++made}`;
  const dir = path.join(root, `${PREFIX}${id}`);
  let ready: Promise<string> | undefined;
  return {
    root,
    /** This process's staging folder, created (mode 0700) on first use. */
    ensure(): Promise<string> {
      ready ??= (async () => {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await writeFile(path.join(dir, OWNER_FILE), `${processOwner}\n`, { mode: 0o600 });
        return dir;
      })();
      return ready;
    },
    /** Removes the staging folders of processes that are gone; resolves to how many. */
    async sweep(): Promise<number> {
      const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
      let removed = 0;
      for (const e of entries) {
        if (!e.isDirectory() || !e.name.startsWith(PREFIX) || path.join(root, e.name) === dir) continue;
        const folder = path.join(root, e.name);
        const owner = await readFile(path.join(folder, OWNER_FILE), 'utf8').then(
          (s) => s.trim(),
          () => undefined,
        );
        // Without its owner file a folder is one whose process died as it made it.
        const gone =
          owner === undefined
            ? Date.now() - (await stat(folder).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs > 60_000
            : ownerIsGone(owner);
        if (!gone) continue;
        await rm(folder, { recursive: true, force: true });
        removed++;
      }
      return removed;
    },
    /** Removes this process's staging folder (at close). */
    async remove(): Promise<void> {
      ready = undefined;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export type Staging = ReturnType<typeof createStaging>;
