// What an administration command works with: the migrated database, the installation's secret,
// the account, factor and session stores and the password hasher — and nothing that delivers.
// createServices also starts the mail and SMS catchers, the QR notifier and the courier, which a
// command that exits a moment later never uses (measured, `gatehouse user lock` on SQLite: 2.25 s
// and 165 MB peak with them, 1.27 s and 74 MB without, on a busy 2-core machine).
import pino from 'pino';
import type { Config } from '../config/config.ts';
import { createAccountStore } from '../identity/account-store.ts';
import { createPasswordHasher } from '../identity/password-hasher.ts';
import { createFactorStore } from '../factors/factor-store.ts';
import { createSessionService } from '../sessions/session-service.ts';
import { createSessionStore } from '../sessions/session-store.ts';
import { resolveSecret } from '../server/secret-key.ts';
import { systemClock } from '../shared/clock.ts';
import { createSecrets } from '../shared/secrets.ts';
import { openDatabase } from '../storage/database.ts';
import { createSecurityEvents } from '../activity/security-events.ts';
import { createWebhookEndpoints } from '../webhooks/webhook-endpoints.ts';
import { webhookQueue } from '../webhooks/webhook-queue.ts';
import { migrateToLatest } from '../storage/migrations.ts';

export async function openAdminServices(config: Config) {
  const clock = systemClock;
  const database = openDatabase(config.database);
  try {
    await migrateToLatest(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  const db = database.db;
  const secrets = createSecrets(resolveSecret(config, pino({ level: 'warn' })));
  const events = createSecurityEvents(db, clock);
  // Changes made here reach the store's webhooks too: queued now, delivered by the nodes' couriers.
  const webhookEndpoints = createWebhookEndpoints(db, secrets, clock);
  events.onEvent(webhookQueue({ endpoints: webhookEndpoints, secrets, clock, wakeCourier: () => {} }));
  return {
    config,
    clock,
    db,
    secrets,
    accounts: createAccountStore(db),
    hasher: createPasswordHasher(config.security),
    factors: createFactorStore(db, secrets, clock),
    events,
    webhookEndpoints,
    sessions: createSessionService({ db, store: createSessionStore(db), clock, security: config.security, events }),
    close: () => database.close(),
  };
}

export type AdminServices = Awaited<ReturnType<typeof openAdminServices>>;
