import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Where this process's pids mean something: the host name and the pid namespace. Two
 * containers may share a host name (`--network host`, a fixed `hostname:`) while each is pid 1
 * in its own namespace; their pids must not be compared.
 */
function pidScope(): string {
  try {
    return `${hostname()}~${/\d+/.exec(readlinkSync('/proc/self/ns/pid'))?.[0] ?? ''}`;
  } catch {
    return `${hostname()}~`;
  }
}

const scope = pidScope();

/**
 * This process as an owner of leases, locks and staging folders: `<host>~<pid namespace>/<pid>/<random>`.
 * The random part tells this process apart from an earlier one that had the same pid (a
 * container's hub is pid 1 at every start).
 */
export const processOwner = `${scope}/${process.pid}/${randomBytes(6).toString('hex')}`;

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
 * host and pid namespace whose pid is gone, or an earlier process that had this process's pid.
 * An owner on another host or in another pid namespace (a container with the same host name), or
 * one in an unknown format, is never declared gone (its lease must run out instead).
 */
export function ownerIsGone(owner: string | null | undefined): boolean {
  if (!owner) return false;
  const [host, pidText, nonce] = owner.split('/');
  const pid = Number(pidText);
  if (host !== scope || !Number.isInteger(pid) || pid <= 0 || !nonce) return false;
  if (owner === processOwner) return false;
  if (pid === process.pid) return true;
  return !pidAlive(pid);
}
