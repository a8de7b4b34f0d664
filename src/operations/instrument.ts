// Connects the metrics (metrics.ts) to a Gatehouse being built: the dispatcher's deliveries, the
// services' results, the outbox and the PostgreSQL pool. server/services.ts calls these only
// when metrics are on, so a Gatehouse without them runs exactly the code it ran before.
import { sql } from 'kysely';
import type { Database, OpenDatabase } from '../storage/database.ts';
import type { DispatcherOptions } from '../courier/dispatcher.ts';
import type { Metrics } from './metrics.ts';
import { countWhatServicesDo, type CountedServices } from './service-metrics.ts';

export function deliveryObserver(metrics: Metrics): NonNullable<DispatcherOptions['observe']> {
  return ({ channel, outcome, latencyMs }) => {
    metrics.deliveries.inc({ channel, outcome });
    if (latencyMs !== undefined) metrics.deliveryLatency.observe({ channel }, Math.max(0, latencyMs) / 1000);
  };
}

/** Unsent outbox rows by state; a pending row that has failed before is "retrying". */
async function outboxDepth(db: Database) {
  const rows = await db
    .selectFrom('outbox')
    .select(['status', sql<number>`case when attempts > 0 then 1 else 0 end`.as('retried'), sql<number>`count(*)`.as('count')])
    .where('status', 'in', ['pending', 'sending', 'parked'])
    .groupBy(['status', sql`case when attempts > 0 then 1 else 0 end`])
    .execute();
  const depth = new Map<'pending' | 'retrying' | 'sending' | 'parked', number>();
  for (const row of rows) {
    const state = row.status === 'pending' && Number(row.retried) === 1 ? 'retrying' : (row.status as 'pending' | 'sending' | 'parked');
    depth.set(state, (depth.get(state) ?? 0) + Number(row.count));
  }
  return [...depth].map(([state, count]) => ({ state, count }));
}

export function instrumentGatehouse(metrics: Metrics, built: { services: CountedServices; database: OpenDatabase }) {
  countWhatServicesDo(built.services, metrics);
  const pool = built.database.pool;
  metrics.watch({ outboxDepth: () => outboxDepth(built.database.db), pool: pool && (() => pool.stats()) });
  pool?.onWait((seconds) => metrics.poolWait.observe(seconds));
}
