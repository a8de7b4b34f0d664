// Where Prometheus reads the metrics: GET /metrics on the main port when METRICS_TOKEN is set
// (then only with `Authorization: Bearer <token>`), and/or a port of its own (METRICS_PORT)
// bound to 127.0.0.1, for a scraper or agent on the same host or pod. Without either, there is
// no /metrics at all: request counts and outbox depth tell an outsider how busy the store is.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.ts';
import { isProbe } from '../http/probe.ts';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compares digests, so neither the length nor the first differing byte shows in the time taken. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer ([\x21-\x7e]+)$/.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(token));
}

/** Counts every answer by route pattern: never the raw URL, which holds flow ids and QR tokens. */
export function countRequests(app: FastifyInstance, metrics: Metrics) {
  // A callback hook, like the request log's: no promise per response on the hot path.
  app.addHook('onResponse', (request, reply, done) => {
    // Health probes and scrapes are machines asking every few seconds, not traffic.
    if (isProbe(request)) return done();
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ route, method: request.method, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ route, method: request.method }, reply.elapsedTime / 1000);
    done();
  });
}

export function registerMetricsRoute(app: FastifyInstance, options: { metrics: Metrics; token: string }) {
  // A probe route (http/probe.ts): any Host (a scraper names the pod by its IP), no cookie, no
  // session lookup, no log line per scrape. The token is what guards it.
  app.get('/metrics', { config: { probe: true } }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    if (!bearerMatches(request.headers.authorization, options.token)) {
      return reply
        .status(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .type('application/json; charset=utf-8')
        .send({ error: { code: 'request.unauthenticated', message: 'Send the metrics token as Authorization: Bearer <METRICS_TOKEN>.' } });
    }
    return reply.type(options.metrics.contentType).send(await options.metrics.render());
  });
}

/** The localhost-only metrics port: nothing but GET /metrics, no cookies, no pages. */
export async function serveMetricsOnPort(metrics: Metrics, port: number, log: (error: unknown) => void): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Only GET /metrics is served here.\n');
      return;
    }
    metrics.render().then(
      (text) => response.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }).end(text),
      (error) => {
        // A gauge that reads the database fails while it is down; say so instead of hanging.
        log(error);
        response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('Metrics are unavailable right now.\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}
