// Prometheus metrics (prom-client), one registry per Gatehouse: the tests build many Gatehouses in
// one process, and prom-client's global registry would refuse the second one's metric names.
//
// Every label comes from a closed set — a route *pattern*, a method, a status, a way of signing in,
// a failure code, a channel, an outbox state — never an email, a phone number, an account id, a
// token or a raw URL. An open label would put personal data in every dashboard and time series
// database the store runs, and would let anyone mint new series by varying a URL (a memory DoS).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsSources {
  /** Outbox rows by state, read at scrape time (one GROUP BY on an indexed column). */
  outboxDepth(): Promise<{ state: 'pending' | 'retrying' | 'sending' | 'parked'; count: number }[]>;
  /** The PostgreSQL pool's connections now; undefined on SQLite (one connection, no pool). */
  pool?: () => { total: number; idle: number; waiting: number };
}

export function createMetrics(options: { defaultMetrics: boolean }) {
  const registry = new Registry();
  // CPU, memory, event-loop lag, GC, handles: what an operator looks at first. Off in the tests
  // that build Gatehouses only to count our own metrics (each call starts an event-loop monitor).
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const metrics = {
    registry,
    httpRequests: new Counter({
      name: 'gatehouse_http_requests_total',
      help: 'HTTP requests answered, by route pattern (never the raw URL), method and status.',
      labelNames: ['route', 'method', 'status'] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: 'gatehouse_http_request_duration_seconds',
      help: 'Time from receiving a request to the end of its response, by route pattern and method.',
      labelNames: ['route', 'method'] as const,
      // From a session check (~1 ms) to a password sign-in (argon2id, ~50–150 ms) and slow mail-bound pages.
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    signIns: new Counter({
      name: 'gatehouse_sign_ins_total',
      help: 'Sign-in attempts by way (password, passkey, qr, password+totp, …) and result (success, second_step, or the failure code).',
      labelNames: ['way', 'result'] as const,
      registers,
    }),
    passwordFlows: new Counter({
      name: 'gatehouse_password_flows_total',
      help: 'Recovery and Change password: started, completed, or failed with the failure code as reason.',
      labelNames: ['flow', 'event', 'reason'] as const,
      registers,
    }),
    codesSent: new Counter({
      name: 'gatehouse_codes_sent_total',
      help: 'One-time codes issued and queued for delivery, by channel (email, sms).',
      labelNames: ['channel'] as const,
      registers,
    }),
    codeChecks: new Counter({
      name: 'gatehouse_code_checks_total',
      help: 'Typed codes checked, by result: right, or the refusal (code.invalid is a wrong code).',
      labelNames: ['result'] as const,
      registers,
    }),
    limitsHit: new Counter({
      name: 'gatehouse_limits_hit_total',
      help: 'Throttles and caps that refused a request, by rule (its failure code).',
      labelNames: ['rule'] as const,
      registers,
    }),
    qrRequests: new Counter({
      name: 'gatehouse_qr_requests_total',
      help: 'QR sign-in steps by outcome: created, scanned, approved, denied, completed, or the failure code.',
      labelNames: ['outcome'] as const,
      registers,
    }),
    deliveries: new Counter({
      name: 'gatehouse_outbox_deliveries_total',
      help: 'Delivery attempts by channel and outcome: sent, retrying, parked, expired.',
      labelNames: ['channel', 'outcome'] as const,
      registers,
    }),
    deliveryLatency: new Histogram({
      name: 'gatehouse_outbox_delivery_latency_seconds',
      help: 'Time from queueing a message to handing it to the mail server or SMS provider, by channel.',
      labelNames: ['channel'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 3600],
      registers,
    }),
    poolWait: new Histogram({
      name: 'gatehouse_db_pool_wait_seconds',
      help: 'How long a query waited for a free PostgreSQL connection (only queries that had to wait).',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    }),
  };

  /** The gauges read at scrape time; given once the services that answer them exist. */
  function watch(sources: MetricsSources) {
    new Gauge({
      name: 'gatehouse_outbox_messages',
      help: 'Messages in the outbox by state: pending (never tried), retrying, sending (leased), parked (needs an operator).',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        this.reset();
        for (const state of ['pending', 'retrying', 'sending', 'parked'] as const) this.set({ state }, 0);
        for (const { state, count } of await sources.outboxDepth()) this.set({ state }, count);
      },
    });
    const pool = sources.pool;
    if (!pool) return;
    new Gauge({
      name: 'gatehouse_db_pool_connections',
      help: 'PostgreSQL pool connections by state: open, idle, and queries waiting for one.',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const now = pool();
        this.set({ state: 'open' }, now.total);
        this.set({ state: 'idle' }, now.idle);
        this.set({ state: 'waiting' }, now.waiting);
      },
    });
  }

  return { ...metrics, watch, render: () => registry.metrics(), contentType: registry.contentType };
}

export type Metrics = ReturnType<typeof createMetrics>;
