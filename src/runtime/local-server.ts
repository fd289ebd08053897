import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { processOwner } from './owner.ts';

/** What a running `serve` leaves in its data folder so that a CLI import can hand it the work. */
export interface LocalServer {
  owner: string;
  url: string;
  /** A key with only `imports:write`, valid while this server runs. */
  key: string;
}

const FILE = 'hub.server.json';

/** A fresh key for the local CLI; only its hash goes into the server's keyring. */
export function newLocalKey(): string {
  return `local-${randomBytes(24).toString('base64url')}`;
}

/** Records the listening server in the data folder (mode 0600); returns its removal. */
export function announceLocalServer(dataDir: string, url: string, key: string): () => void {
  const file = path.join(dataDir, FILE);
  const record: LocalServer = { owner: processOwner, url, key };
  // The data folder is locked by this process: a file left by a killed server is replaced.
  rmSync(file, { force: true });
  writeFileSync(file, `${JSON.stringify(record)}\n`, { mode: 0o600, flag: 'wx' });
  return () => {
    if (readLocalServer(dataDir)?.owner === processOwner) rmSync(file, { force: true });
  };
}

export function readLocalServer(dataDir: string): LocalServer | undefined {
  try {
    const value = JSON.parse(readFileSync(path.join(dataDir, FILE), 'utf8')) as LocalServer;
    return typeof value.url === 'string' && typeof value.key === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
