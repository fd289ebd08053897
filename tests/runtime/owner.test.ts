import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ownerIsGone, processOwner } from '../../src/runtime/owner.ts';

describe('owners of leases and claims', () => {
  const scope = processOwner.split('/')[0]!;
  const deadPid = 4_000_000;

  it('declares gone a process of this host and pid namespace whose pid is gone, or that had this pid', () => {
    expect(scope.startsWith(`${hostname()}~`)).toBe(true);
    expect(ownerIsGone(`${scope}/${deadPid}/abc`)).toBe(true);
    expect(ownerIsGone(`${scope}/${process.pid}/another`)).toBe(true);
    expect(ownerIsGone(processOwner)).toBe(false);
    expect(ownerIsGone(`${scope}/${process.ppid}/parent`)).toBe(false);
  });

  it('never declares gone a container with the same host name in another pid namespace', () => {
    const otherNamespace = `${hostname()}~1`;
    expect(ownerIsGone(`${otherNamespace}/${process.pid}/other`)).toBe(false);
    expect(ownerIsGone(`${otherNamespace}/${deadPid}/other`)).toBe(false);
    // nor an owner written by an earlier version (host only) or on another host
    expect(ownerIsGone(`${hostname()}/${deadPid}/old`)).toBe(false);
    expect(ownerIsGone(`elsewhere~1/${deadPid}/x`)).toBe(false);
  });
});
