// Gatehouse as one thing: the services (services.ts) and the HTTP app on them (app.ts). main.ts,
// the tests and the benchmarks all start Gatehouse through here, so they run the same thing.
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { OpenDatabase } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import { createLogger, createServices } from './services.ts';
import { buildApp } from './app.ts';

export async function createGatehouse(config: Config, options: { clock?: Clock; logger?: Logger; database?: OpenDatabase; runDispatcher?: boolean } = {}) {
  const logger = options.logger ?? createLogger(config);
  const services = await createServices(config, { ...options, logger });
  const app = await buildApp(config, services, logger);
  return {
    app,
    services,
    async listen(): Promise<string> {
      return app.listen({ host: config.host, port: config.port });
    },
    async close() {
      await app.close();
      await services.close();
    },
  };
}
