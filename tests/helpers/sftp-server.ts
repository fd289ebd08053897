import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import ssh2 from 'ssh2';

const { Server, utils } = ssh2;
const { STATUS_CODE, flagsToString } = utils.sftp;

export interface TestSftpServer {
  host: string;
  port: number;
  username: string;
  privateKey: string;
  /** SHA256 fingerprint of the host key, base64 as OpenSSH prints it (without `SHA256:`). */
  hostKeySha256: string;
  stop(): Promise<void>;
}

/**
 * A real SFTP server over TCP on loopback (ssh2's Server class), serving `root`: the default
 * test suite's stand-in for an OpenSSH sshd, with one public-key user.
 */
export async function startSftpServer(
  root: string,
  port = 0,
  options: { hostileNames?: string[] } = {},
): Promise<TestSftpServer> {
  const host = utils.generateKeyPairSync('ed25519');
  const user = utils.generateKeyPairSync('ed25519');
  const allowed = utils.parseKey(user.public);
  if (allowed instanceof Error) throw allowed;
  const hostKey = utils.parseKey(host.private);
  if (hostKey instanceof Error) throw hostKey;
  const { createHash } = await import('node:crypto');
  const hostKeySha256 = createHash('sha256')
    .update(hostKey.getPublicSSH())
    .digest('base64')
    .replace(/=+$/, '');
  const state: TestSftpServer = {
    host: '127.0.0.1',
    port: 0,
    username: 'hub',
    privateKey: user.private,
    hostKeySha256,
    stop: async () => {},
  };
  const inside = (p: string) => {
    const resolved = path.resolve(root, `.${path.posix.resolve('/', p)}`);
    if (!resolved.startsWith(path.resolve(root))) throw new Error('outside');
    return resolved;
  };
  const attrsOf = (st: Stats) => ({
    mode: st.mode,
    uid: 0,
    gid: 0,
    size: st.size,
    atime: Math.floor(st.atimeMs / 1000),
    mtime: Math.floor(st.mtimeMs / 1000),
  });

  const clients = new Set<ssh2.Connection>();
  const server = new Server({ hostKeys: [host.private] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('authentication', (ctx) => {
      if (
        ctx.method === 'publickey' &&
        ctx.username === state.username &&
        ctx.key.algo === allowed.type &&
        ctx.key.data.equals(allowed.getPublicSSH())
      ) {
        if (!ctx.signature) return ctx.accept();
        return allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) ? ctx.accept() : ctx.reject();
      }
      ctx.reject(['publickey']);
    });
    client.on('error', () => {});
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('sftp', (acceptSftp) => {
          const sftp = acceptSftp();
          const handles = new Map<number, { fd?: number; dir?: string[]; path: string }>();
          let next = 0;
          const handle = (h: Buffer) => handles.get(h.readUInt32BE(0));
          const newHandle = (v: { fd?: number; dir?: string[]; path: string }) => {
            const id = next++;
            handles.set(id, v);
            const b = Buffer.alloc(4);
            b.writeUInt32BE(id);
            return b;
          };
          const fail = (reqid: number, e: unknown) =>
            sftp.status(
              reqid,
              (e as NodeJS.ErrnoException).code === 'ENOENT' ? STATUS_CODE.NO_SUCH_FILE : STATUS_CODE.FAILURE,
            );
          sftp.on('REALPATH', (reqid, p) =>
            sftp.name(reqid, [{ filename: path.posix.resolve('/', p), longname: '', attrs: {} as never }]),
          );
          sftp.on('OPEN', (reqid, filename, flags) => {
            try {
              const fd = openSync(inside(filename), flagsToString(flags) ?? 'r');
              sftp.handle(reqid, newHandle({ fd, path: filename }));
            } catch (e) {
              fail(reqid, e);
            }
          });
          sftp.on('WRITE', (reqid, h, offset, data) => {
            const f = handle(h);
            if (!f?.fd && f?.fd !== 0) return sftp.status(reqid, STATUS_CODE.FAILURE);
            writeSync(f.fd, data, 0, data.length, offset);
            sftp.status(reqid, STATUS_CODE.OK);
          });
          sftp.on('READ', (reqid, h, offset, length) => {
            const f = handle(h);
            if (f?.fd === undefined) return sftp.status(reqid, STATUS_CODE.FAILURE);
            const buf = Buffer.alloc(length);
            const n = readSync(f.fd, buf, 0, length, offset);
            if (n === 0) return sftp.status(reqid, STATUS_CODE.EOF);
            sftp.data(reqid, buf.subarray(0, n));
          });
          sftp.on('CLOSE', (reqid, h) => {
            const f = handle(h);
            if (f?.fd !== undefined) closeSync(f.fd);
            handles.delete(h.readUInt32BE(0));
            sftp.status(reqid, STATUS_CODE.OK);
          });
          const statHandler = (reqid: number, p: string) => {
            try {
              sftp.attrs(reqid, attrsOf(statSync(inside(p))));
            } catch (e) {
              fail(reqid, e);
            }
          };
          sftp.on('STAT', statHandler);
          sftp.on('LSTAT', statHandler);
          sftp.on('FSTAT', (reqid, h) => {
            const f = handle(h);
            if (f?.fd === undefined) return sftp.status(reqid, STATUS_CODE.FAILURE);
            sftp.attrs(reqid, attrsOf(fstatSync(f.fd)));
          });
          sftp.on('SETSTAT', (reqid) => sftp.status(reqid, STATUS_CODE.OK));
          sftp.on('FSETSTAT', (reqid) => sftp.status(reqid, STATUS_CODE.OK));
          sftp.on('RENAME', (reqid, from, to) => {
            try {
              statSync(inside(to));
              sftp.status(reqid, STATUS_CODE.FAILURE);
            } catch {
              try {
                renameSync(inside(from), inside(to));
                sftp.status(reqid, STATUS_CODE.OK);
              } catch (e) {
                fail(reqid, e);
              }
            }
          });
          sftp.on('REMOVE', (reqid, p) => {
            try {
              rmSync(inside(p));
              sftp.status(reqid, STATUS_CODE.OK);
            } catch (e) {
              fail(reqid, e);
            }
          });
          sftp.on('MKDIR', (reqid, p) => {
            try {
              mkdirSync(inside(p));
              sftp.status(reqid, STATUS_CODE.OK);
            } catch (e) {
              fail(reqid, e);
            }
          });
          sftp.on('OPENDIR', (reqid, p) => {
            try {
              sftp.handle(reqid, newHandle({ dir: readdirSync(inside(p)), path: p }));
            } catch (e) {
              fail(reqid, e);
            }
          });
          sftp.on('READDIR', (reqid, h) => {
            const d = handle(h);
            if (!d?.dir) return sftp.status(reqid, STATUS_CODE.FAILURE);
            if (d.dir.length === 0) return sftp.status(reqid, STATUS_CODE.EOF);
            const names = d.dir.splice(0).map((name) => {
              const st = statSync(path.join(inside(d.path), name));
              return {
                filename: name,
                longname: `${st.isDirectory() ? 'd' : '-'}rw-r--r-- 1 hub hub ${st.size} Jan 1 00:00 ${name}`,
                attrs: attrsOf(st),
              };
            });
            // A hostile server may list any name, `../../x` included: listed, never served.
            for (const name of options.hostileNames ?? [])
              names.push({
                filename: name,
                longname: `-rw-r--r-- 1 hub hub 10 Jan 1 00:00 ${name}`,
                attrs: { mode: 0o100644, uid: 0, gid: 0, size: 10, atime: 0, mtime: 0 },
              });
            sftp.name(reqid, names);
          });
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.stop = () =>
    new Promise<void>((resolve) => {
      for (const c of clients) c.end();
      server.close(() => resolve());
    });
  return state;
}
