import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { HubError } from '../errors.ts';
import { ownerIsGone, processOwner } from '../runtime/owner.ts';

interface LockFile {
  owner: string;
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

const LOCK = 'hub.lock';

function readLock(file: string): LockFile | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as LockFile;
    return typeof value.owner === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The process holding the embedded data folder, when one does (not this one's own lock). */
export function dataDirHolder(dataDir: string): LockFile | undefined {
  const held = readLock(path.join(dataDir, LOCK));
  return held && held.owner !== processOwner && !ownerIsGone(held.owner) ? held : undefined;
}

/**
 * Locks an embedded PGlite data folder for this process: PGlite has no lock of its own, and a
 * second process writing the same folder loses what it wrote. A lock left by a process that is
 * gone (killed, crashed) is taken over; a live holder makes this throw
 * `HUB_ERR_DATA_DIR_LOCKED` at once, naming the process and what to do. Returns the release.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, LOCK);
  const mine: LockFile = {
    owner: processOwner,
    pid: process.pid,
    host: hostname(),
    command: process.argv.slice(2, 3).join(' ') || 'node',
    startedAt: new Date().toISOString(),
  };
  const text = `${JSON.stringify(mine)}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, text, { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 2) throw e;
    }
    const held = readLock(file);
    // An unreadable lock is one whose writer died between creating and writing it.
    if (held && (held.owner === processOwner || !ownerIsGone(held.owner))) {
      throw new HubError('HUB_ERR_DATA_DIR_LOCKED', {
        dir: dataDir,
        pid: String(held.pid),
        host: held.host,
        command: held.command,
      });
    }
    rmSync(file, { force: true });
  }
  const release = () => {
    if (readLock(file)?.owner === processOwner) rmSync(file, { force: true });
    process.off('exit', release);
  };
  process.on('exit', release);
  return release;
}
