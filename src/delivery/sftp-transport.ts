import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import SftpClient from 'ssh2-sftp-client';

export interface SftpTransport {
  type: 'sftp';
  host: string;
  port: number;
  username: string;
  /** The private key's file (secret); or `privateKey` with the key itself. */
  privateKeyFile?: string;
  privateKey?: string;
  /** The remote folder the importer reads. */
  dir: string;
  /** The server's host key, SHA256 fingerprint in base64 as `ssh-keygen -lf` prints it (pinned). */
  hostKeySha256: string;
  timeoutMs?: number;
}

const fingerprint = (key: Buffer) => createHash('sha256').update(key).digest('base64').replace(/=+$/, '');

/** Connects with the pinned host key: a server whose key differs is never talked to. */
export async function connectSftp(t: SftpTransport): Promise<SftpClient> {
  // The library's default global listeners print to stdout; a dropped link is reported by the
  // failing call itself, so they stay quiet here.
  const quiet = () => {};
  const client = new SftpClient('madoguchi-hub', { error: quiet, end: quiet, close: quiet });
  const pinned = t.hostKeySha256.replace(/^SHA256:/, '').replace(/=+$/, '');
  await client.connect({
    host: t.host,
    port: t.port,
    username: t.username,
    privateKey: t.privateKey ?? readFileSync(t.privateKeyFile!),
    readyTimeout: t.timeoutMs ?? 10_000,
    retries: 0,
    hostVerifier: (key: Buffer) => fingerprint(key) === pinned,
  });
  return client;
}

async function putAtomically(client: SftpClient, bytes: Buffer, final: string): Promise<void> {
  const tmp = `${final}.tmp`;
  await client.put(bytes, tmp);
  if (await client.exists(final)) await client.delete(final);
  await client.rename(tmp, final);
}

/**
 * Uploads under a temporary name, renames it to its final name, then writes the `.done`
 * file (row count and SHA-256) the same way: an importer that waits for `.done` never reads a
 * partial file, and a link that drops mid-upload leaves only a `.tmp` behind.
 */
export async function deliverOverSftp(
  t: SftpTransport,
  name: string,
  bytes: Buffer,
  rows: number,
): Promise<{ path: string; sha256: string; rows: number }> {
  const client = await connectSftp(t);
  try {
    if (!(await client.exists(t.dir))) await client.mkdir(t.dir, true);
    const final = path.posix.join(t.dir, name);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await putAtomically(client, bytes, final);
    await putAtomically(
      client,
      Buffer.from(`rows=${rows}\nsha256=${sha256}\n`),
      final.replace(/\.[^.]+$/, '.done'),
    );
    return { path: `sftp://${t.host}:${t.port}${final}`, sha256, rows };
  } finally {
    await client.end().catch(() => {});
  }
}
