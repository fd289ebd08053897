import { type App, buildApp } from './app.ts';
import type { Config } from './config/env.ts';
import { announceLocalServer } from './runtime/local-server.ts';

/**
 * The only place that listens. Closes gracefully on SIGTERM/SIGINT: stops accepting, lets
 * requests in flight finish, closes the store.
 */
export async function startServer(config: Config, app?: App): Promise<App> {
  const server = app ?? (await buildApp(config));
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    server.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), 10_000);
    timer.unref();
    await server.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  // The outbox is delivered in the background; several instances may share it (SKIP LOCKED).
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    server.hub.dispatcher
      .runOnce()
      .catch((err: unknown) => server.log.error({ err }, 'dispatcher failed'))
      .finally(() => {
        running = false;
      });
  }, 2_000);
  timer.unref();
  server.hub.jobs.start();
  let forget = () => {};
  server.addHook('onClose', async () => {
    clearInterval(timer);
    forget();
    await server.hub.jobs.stop();
  });
  await server.listen({ port: config.port, host: config.host });
  const localKey = server.hub.takeLocalKey();
  const address = server.server.address();
  if (localKey && address && typeof address === 'object') {
    // `import` on this data folder finds the server here and hands it its files.
    const host = ['0.0.0.0', '::', ''].includes(config.host) ? '127.0.0.1' : config.host;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    forget = announceLocalServer(config.dataDir, url, localKey);
  }
  return server;
}
