import { chmodSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSftpServer } from './sftp-server.ts';

/**
 * The SFTP server of a test, reached through a TCP proxy on loopback that can take the link
 * down, bring it back, or cut it mid-transfer. With SFTP_SSHD_* set (.ci/run starts OpenSSH
 * sshd, `.ci/sshd.sh`) it is that real sshd; otherwise ssh2's own server in-process. Both
 * are real SFTP over TCP.
 */
export interface SftpUnderTest {
  kind: 'openssh' | 'ssh2';
  host: string;
  port: number;
  username: string;
  privateKey: string;
  hostKeySha256: string;
  /** The path to give the transport for a folder of this test. */
  remoteDir(rel: string): string;
  /** Where that folder is on this machine. */
  localDir(rel: string): string;
  down(): Promise<void>;
  up(): Promise<void>;
  /** Cut each new connection after this many bytes from client to server (undefined: never). */
  cutAfterBytes: number | undefined;
  stop(): Promise<void>;
}

export async function sftpUnderTest(): Promise<SftpUnderTest> {
  let target: { host: string; port: number };
  let base: {
    kind: SftpUnderTest['kind'];
    username: string;
    privateKey: string;
    hostKeySha256: string;
    remote(rel: string): string;
    local(rel: string): string;
    stop(): Promise<void>;
  };
  const env = process.env;
  if (env.SFTP_SSHD_HOST && env.SFTP_SSHD_PORT && env.SFTP_SSHD_ROOT) {
    const root = mkdtempSync(path.join(env.SFTP_SSHD_ROOT, 't-'));
    chmodSync(root, 0o777);
    target = { host: env.SFTP_SSHD_HOST, port: Number(env.SFTP_SSHD_PORT) };
    base = {
      kind: 'openssh',
      username: env.SFTP_SSHD_USER!,
      privateKey: readFileSync(env.SFTP_SSHD_KEY!, 'utf8'),
      hostKeySha256: env.SFTP_SSHD_HOSTKEY!.replace(/^SHA256:/, ''),
      remote: (rel) => path.join(root, rel),
      local: (rel) => path.join(root, rel),
      stop: async () => {},
    };
  } else {
    const root = mkdtempSync(path.join(tmpdir(), 'hub-sftp-'));
    const server = await startSftpServer(root);
    target = { host: server.host, port: server.port };
    base = {
      kind: 'ssh2',
      username: server.username,
      privateKey: server.privateKey,
      hostKeySha256: server.hostKeySha256,
      remote: (rel) => path.posix.join('/', rel),
      local: (rel) => path.join(root, rel),
      stop: server.stop,
    };
  }

  const sockets = new Set<net.Socket>();
  let port = 0;
  let proxy: net.Server | undefined;
  const state: SftpUnderTest = {
    kind: base.kind,
    host: '127.0.0.1',
    port: 0,
    username: base.username,
    privateKey: base.privateKey,
    hostKeySha256: base.hostKeySha256,
    remoteDir: (rel) => {
      // The sshd account is not the test's: every folder of the test is open to it.
      let dir = base.local(rel);
      mkdirSync(dir, { recursive: true });
      for (const _ of rel.split('/')) {
        chmodSync(dir, 0o777);
        dir = path.dirname(dir);
      }
      return base.remote(rel);
    },
    localDir: (rel) => base.local(rel),
    cutAfterBytes: undefined,
    async down() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
      proxy = undefined;
    },
    async up() {
      proxy = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        const cut = state.cutAfterBytes;
        let sent = 0;
        sockets.add(client);
        sockets.add(upstream);
        client.on('data', (chunk) => {
          sent += chunk.length;
          if (cut !== undefined && sent > cut) {
            client.destroy();
            upstream.destroy();
            return;
          }
          upstream.write(chunk);
        });
        upstream.on('data', (chunk) => client.write(chunk));
        const close = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('close', close);
        upstream.on('close', close);
        client.on('error', close);
        upstream.on('error', close);
      });
      await new Promise<void>((resolve) => proxy!.listen(port, '127.0.0.1', resolve));
      port = (proxy.address() as net.AddressInfo).port;
      state.port = port;
    },
    async stop() {
      await state.down();
      await base.stop();
    },
  };
  await state.up();
  return state;
}
