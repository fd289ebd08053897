import { createHash } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import path from 'node:path';

async function writeDurably(file: string, bytes: Buffer): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Puts one file where an importer picks it up: written under a temporary name, renamed, and
 * only then the `.done` file with the row count and the SHA-256. An importer that waits for
 * `.done` never sees a partial file.
 */
export async function deliverToFolder(
  dir: string,
  name: string,
  bytes: Buffer,
  rows: number,
): Promise<{ path: string; sha256: string; rows: number }> {
  await mkdir(dir, { recursive: true });
  const final = path.join(dir, name);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await writeDurably(`${final}.tmp`, bytes);
  await rename(`${final}.tmp`, final);
  const stem = final.replace(/\.[^.]+$/, '');
  await writeDurably(`${stem}.done`, Buffer.from(`rows=${rows}\nsha256=${sha256}\n`));
  return { path: final, sha256, rows };
}
