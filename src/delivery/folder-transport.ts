import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { HubError } from '../errors.ts';
import { pauseForTest } from '../runtime/test-pause.ts';

/** A file a delivery batch writes, recorded before the first byte so a retry finishes it. */
export interface PlannedFile {
  name: string;
  sha256: string;
  rows: number;
  /** `intent`: maybe written, maybe renamed; `renamed`: the final file exists (or was taken). */
  stage: 'intent' | 'renamed';
}

export interface Artifact {
  path: string;
  sha256: string;
  rows: number;
}

async function writeDurably(file: string, bytes: Buffer): Promise<void> {
  const handle = await open(file, 'w', 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/**
 * Puts one file where an importer picks it up: written under a temporary name, renamed, and
 * only then the `.done` file with the row count and the SHA-256 (itself renamed into place).
 * An importer that waits for `.done` never sees a partial file.
 *
 * Crash-safe together with the dispatcher: the file's name is recorded before writing, and
 * `onRenamed` records that the final file exists. Called again for the same `plan` after a
 * crash, it finishes that file instead of writing a second one: a `.tmp` left behind is
 * replaced, a final file without `.done` gets its `.done`, and a file already complete (or
 * already taken by the importer after its `.done`) is reported as delivered.
 */
export async function deliverToFolder(
  target: { id: string; dir?: string },
  plan: PlannedFile,
  bytes: () => Buffer,
  onRenamed: () => Promise<void>,
): Promise<Artifact> {
  if (!target.dir) throw new HubError('HUB_ERR_OUTBOX_NOT_CONFIGURED', { target: target.id });
  const dir = target.dir;
  await mkdir(dir, { recursive: true });
  const final = path.join(dir, plan.name);
  const done = `${final.replace(/\.[^.]+$/, '')}.done`;
  const writeDone = async (sha256: string, rows: number) => {
    await writeDurably(`${done}.tmp`, Buffer.from(`rows=${rows}\nsha256=${sha256}\n`));
    await rename(`${done}.tmp`, done);
    await syncDir(dir);
  };

  if (plan.stage === 'renamed' || (await exists(final))) {
    // The final file was renamed into place before a crash: finish it, never write it again.
    await rm(`${final}.tmp`, { force: true });
    if (!(await exists(final))) return { path: final, sha256: plan.sha256, rows: plan.rows };
    const sha256 = await hashFile(final);
    if (!(await exists(done))) await writeDone(sha256, plan.rows);
    return { path: final, sha256, rows: plan.rows };
  }

  const content = bytes();
  const sha256 = createHash('sha256').update(content).digest('hex');
  const rows = plan.rows;
  // A `.tmp` left by a crash (partial or whole) is simply replaced.
  await writeDurably(`${final}.tmp`, content);
  await pauseForTest('delivery-after-write');
  await rename(`${final}.tmp`, final);
  await syncDir(dir);
  await pauseForTest('delivery-after-rename');
  await onRenamed();
  await writeDone(sha256, rows);
  await pauseForTest('delivery-after-done');
  return { path: final, sha256, rows };
}
