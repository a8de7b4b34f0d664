// Is this node ready for traffic? Yes when its database answers a trivial query within a short
// time and has every migration this code has. Cheap enough to be asked every second or two by
// every load balancer: one SELECT 1, and the migration record read only until it has once been
// seen current (migrations only go forward, and this node's code does not change while it runs).
import type { OpenDatabase } from '../storage/database.ts';
import { isDatabaseOutage } from '../storage/database-errors.ts';
import { pendingMigrations } from '../storage/migration-status.ts';
import { withDeadline } from '../shared/deadline.ts';

/**
 * 500 ms: half of the 1 s a Kubernetes probe waits by default (timeoutSeconds: 1), so the probe
 * gets our 503 and its reason rather than a timeout of its own, with room left for the HTTP round
 * trip; and hundreds of times what a healthy SELECT 1 takes (about a millisecond), so only a
 * database that is really away or stuck — or a pool with every connection busy for half a
 * second, itself a node that should get less traffic — is reported.
 */
export const READINESS_TIMEOUT_MS = 500;

export type Readiness = { ready: true } | { ready: false; reason: 'database_unreachable' | 'migrations_pending' };

export interface ReadinessLogger {
  warn(object: object, message: string): void;
}

export function createReadinessCheck(deps: { database: Pick<OpenDatabase, 'db' | 'ping'>; logger: ReadinessLogger; timeoutMs?: number }) {
  const timeoutMs = deps.timeoutMs ?? READINESS_TIMEOUT_MS;
  let migrationsSeenCurrent = false;

  async function migrationsCurrent(): Promise<boolean> {
    if (migrationsSeenCurrent) return true;
    try {
      const pending = await pendingMigrations(deps.database.db);
      if (pending.length > 0) deps.logger.warn({ pending }, 'not ready: the database lacks migrations this code has');
      migrationsSeenCurrent = pending.length === 0;
    } catch (error) {
      if (isDatabaseOutage(error)) throw error;
      // The database answers but has no migration record it can show (an empty database swapped
      // in): nothing of ours is applied.
      deps.logger.warn({ err: { code: (error as { code?: string }).code, message: (error as Error).message } }, 'not ready: the migration record cannot be read');
    }
    return migrationsSeenCurrent;
  }

  return async function readiness(): Promise<Readiness> {
    try {
      await deps.database.ping(timeoutMs);
      if (!(await withDeadline(migrationsCurrent(), timeoutMs, 'the migration record'))) return { ready: false, reason: 'migrations_pending' };
      return { ready: true };
    } catch (error) {
      if (!isDatabaseOutage(error)) deps.logger.warn({ err: { code: (error as { code?: string }).code, message: (error as Error).message } }, 'not ready: the database check failed');
      // After an outage the database may come back as another one (a failover to a replica that
      // lags, a restore from a backup): look at its migrations again.
      migrationsSeenCurrent = false;
      return { ready: false, reason: 'database_unreachable' };
    }
  };
}
