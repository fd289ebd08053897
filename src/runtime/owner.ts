import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * This process as an owner of leases, locks and staging folders: `<host>/<pid>/<random>`.
 * The random part tells this process apart from an earlier one that had the same pid (a
 * container's hub is pid 1 at every start).
 */
export const processOwner = `${hostname()}/${process.pid}/${randomBytes(6).toString('hex')}`;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed child its parent has not reaped yet is a zombie: gone for every purpose here.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * True when `owner` (a `processOwner` value) is certainly no longer running: a process of this
 * host whose pid is gone, or an earlier process that had this process's pid. An owner on another
 * host, or one in an unknown format, is never declared gone (its lease must run out instead).
 */
export function ownerIsGone(owner: string | null | undefined): boolean {
  if (!owner) return false;
  const [host, pidText, nonce] = owner.split('/');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0 || !nonce) return false;
  if (owner === processOwner) return false;
  if (pid === process.pid) return true;
  return !pidAlive(pid);
}
