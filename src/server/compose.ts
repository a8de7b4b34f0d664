// Gatehouse as one thing: the services (services.ts) and the HTTP app on them (app.ts). main.ts,
// the tests and the benchmarks all start Gatehouse through here, so they run the same thing.
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { OpenDatabase } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import { createLogger, createServices } from './services.ts';
import { buildApp } from './app.ts';
import { serveMetricsOnPort } from '../operations/metrics-routes.ts';
import type { Server } from 'node:http';

// How long close() lets requests still in flight finish before it cuts their connections. A client
// that stops reading a response (or never finishes sending its headers) would otherwise hold
// server.close() until Node's own 60 s headers and 300 s request timeouts, and an orchestrator kills
// a process that slow mid-write (Kubernetes sends SIGKILL 30 s after SIGTERM).
const SHUTDOWN_GRACE_MS = 10_000;

export async function createGatehouse(
  config: Config,
  options: { clock?: Clock; logger?: Logger; database?: OpenDatabase; runDispatcher?: boolean; shutdownGraceMs?: number } = {},
) {
  const logger = options.logger ?? createLogger(config);
  const services = await createServices(config, { ...options, logger });
  const app = await buildApp(config, services, logger);
  let metricsServer: Server | undefined;
  return {
    app,
    services,
    async listen(): Promise<string> {
      const address = await app.listen({ host: config.host, port: config.port });
      if (services.metrics && config.metrics.port !== undefined) {
        metricsServer = await serveMetricsOnPort(services.metrics, config.metrics.port, (error) =>
          logger.warn({ err: { message: (error as Error)?.message } }, 'metrics scrape failed'),
        );
        logger.info({ port: config.metrics.port }, 'metrics on 127.0.0.1 only');
      }
      return address;
    },
    async close() {
      if (metricsServer) await new Promise((resolve) => metricsServer!.close(resolve));
      const cut = setTimeout(() => app.server.closeAllConnections(), options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS);
      try {
        await app.close();
      } finally {
        clearTimeout(cut);
      }
      await services.close();
    },
  };
}
