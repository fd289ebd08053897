import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type SftpClient from 'ssh2-sftp-client';
import { connectSftp, type SftpTransport } from '../delivery/sftp-transport.ts';

export interface RemoteFile {
  name: string;
  size: number;
  mtimeMs: number;
}

/** Where an inbound job finds files: a local folder or an SFTP folder. */
export interface InboundSource {
  list(): Promise<RemoteFile[]>;
  exists(name: string): Promise<boolean>;
  /** Copies the file to `local`; the original stays where it is until `file`. */
  take(name: string, local: string): Promise<void>;
  /** Files the original in `archive/` or `error/` (with the reason beside it) and removes `local`. */
  file(name: string, local: string, ok: boolean, reason?: string): Promise<void>;
  /** Moves a `.done` marker away with its file. */
  fileMarker(name: string, ok: boolean): Promise<void>;
  close(): Promise<void>;
}

async function moveLocal(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  try {
    await rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await copyFile(from, to);
    await rm(from);
  }
}

async function freeLocal(dir: string, name: string): Promise<string> {
  const target = path.join(dir, name);
  return stat(target).then(
    () => path.join(dir, `${Date.now()}-${name}`),
    () => target,
  );
}

export function folderSource(dir: string): InboundSource {
  return {
    async list() {
      await mkdir(dir, { recursive: true });
      const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile());
      return Promise.all(
        entries.map(async (e) => {
          const st = await stat(path.join(dir, e.name));
          return { name: e.name, size: st.size, mtimeMs: Math.floor(st.mtimeMs) };
        }),
      );
    },
    exists: (name) =>
      stat(path.join(dir, name)).then(
        () => true,
        () => false,
      ),
    async take(name, local) {
      await mkdir(path.dirname(local), { recursive: true });
      await copyFile(path.join(dir, name), local);
    },
    async file(name, local, ok, reason) {
      const dest = await freeLocal(path.join(dir, ok ? 'archive' : 'error'), name);
      await moveLocal(path.join(dir, name), dest);
      await rm(local, { force: true });
      if (reason) await writeFile(`${dest}.reason.txt`, `${reason}\n`);
    },
    async fileMarker(name, ok) {
      await moveLocal(
        path.join(dir, name),
        await freeLocal(path.join(dir, ok ? 'archive' : 'error'), name),
      ).catch(() => {});
    },
    close: async () => {},
  };
}

export async function sftpSource(t: SftpTransport): Promise<InboundSource> {
  const client: SftpClient = await connectSftp(t);
  const remote = (name: string) => path.posix.join(t.dir, name);
  const into = async (sub: string, name: string) => {
    const dir = path.posix.join(t.dir, sub);
    if (!(await client.exists(dir))) await client.mkdir(dir, true);
    const target = path.posix.join(dir, name);
    return (await client.exists(target)) ? path.posix.join(dir, `${Date.now()}-${name}`) : target;
  };
  return {
    async list() {
      const entries = await client.list(t.dir);
      return entries
        .filter((e) => e.type === '-')
        .map((e) => ({ name: e.name, size: e.size, mtimeMs: e.modifyTime }));
    },
    exists: async (name) => !!(await client.exists(remote(name))),
    async take(name, local) {
      await mkdir(path.dirname(local), { recursive: true });
      await client.get(remote(name), local);
    },
    async file(name, _local, ok, reason) {
      const dest = await into(ok ? 'archive' : 'error', name);
      await client.rename(remote(name), dest);
      if (reason) await client.put(Buffer.from(`${reason}\n`), `${dest}.reason.txt`);
      await rm(_local, { force: true });
    },
    async fileMarker(name, ok) {
      await client.rename(remote(name), await into(ok ? 'archive' : 'error', name)).catch(() => {});
    },
    close: async () => {
      await client.end().catch(() => {});
    },
  };
}
