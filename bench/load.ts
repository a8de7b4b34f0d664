// A small closed-loop HTTP/1.1 load generator over raw keep-alive sockets: each connection sends
// one request, waits for the whole response, records the latency and sends the next. It parses
// only what it needs (status, Content-Length or chunked framing), so on this 2-core machine it
// stays cheaper than the servers it drives. The same code drives Gatehouse and the bare server.
import { connect, type Socket } from 'node:net';

export interface LoadOptions {
  /** http://host:port of the server. */
  url: string;
  connections: number;
  durationMs: number;
  /** The raw request bytes for the n-th request sent on connection `conn`. */
  requestFor(conn: number, n: number): Buffer;
}

export interface LoadResult {
  completed: number;
  durationMs: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<string, number>;
  socketErrors: number;
  /** CPU used by this (load generator) process during the run, as % of one core. */
  generatorCpuPct: number;
  /** Every counted response's latency in ms, sorted. */
  latencies: Float64Array;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** Parses one response at the start of buf; returns its length and status, or null if incomplete. */
function parseResponse(buf: Buffer): { length: number; status: number } | null {
  const headerEnd = buf.indexOf(CRLFCRLF);
  if (headerEnd < 0) return null;
  const head = buf.toString('latin1', 0, headerEnd);
  const status = Number(head.slice(9, 12));
  const bodyStart = headerEnd + 4;
  const lengthMatch = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (lengthMatch) {
    const total = bodyStart + Number(lengthMatch[1]);
    return buf.length >= total ? { length: total, status } : null;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    let at = bodyStart;
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', at, 'latin1');
      if (lineEnd < 0) return null;
      const size = parseInt(buf.toString('latin1', at, lineEnd), 16);
      if (size === 0) {
        const end = buf.indexOf(CRLFCRLF, lineEnd, 'latin1');
        return end < 0 ? null : { length: end + 4, status };
      }
      at = lineEnd + 2 + size + 2;
      if (at > buf.length) return null;
    }
  }
  return { length: bodyStart, status }; // no body (e.g. 204/304 without length)
}

export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { hostname, port } = new URL(options.url);
  let latencies = new Float64Array(1 << 20);
  let completed = 0;
  let socketErrors = 0;
  const statuses: Record<string, number> = {};
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const deadline = startedAt + options.durationMs;
  const sockets: Socket[] = [];

  const record = (status: number, latency: number) => {
    if (completed === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[completed++] = latency;
    statuses[status] = (statuses[status] ?? 0) + 1;
  };

  await new Promise<void>((resolveAll) => {
    let open = options.connections;
    const finished = () => {
      if (--open === 0) resolveAll();
    };

    for (let conn = 0; conn < options.connections; conn++) {
      let n = 0;
      let sentAt = 0;
      let pending: Buffer = Buffer.alloc(0);
      let done = false;

      const start = () => {
        const socket = connect({ host: hostname, port: Number(port) });
        sockets.push(socket);
        socket.setNoDelay(true);
        const send = () => {
          sentAt = performance.now();
          socket.write(options.requestFor(conn, n++));
        };
        socket.on('connect', send);
        socket.on('data', (chunk: Buffer) => {
          pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
          const parsed = parseResponse(pending);
          if (!parsed) return;
          const now = performance.now();
          pending = pending.subarray(parsed.length);
          if (now <= deadline) record(parsed.status, now - sentAt);
          if (now < deadline) send();
          else {
            done = true;
            socket.destroy();
            finished();
          }
        });
        const lost = () => {
          if (done) return;
          // The server closed the connection (or it failed): count it and open a new one.
          socketErrors++;
          pending = Buffer.alloc(0);
          if (performance.now() < deadline) setTimeout(start, 5);
          else {
            done = true;
            finished();
          }
        };
        socket.on('error', () => {});
        socket.on('close', lost);
      };
      start();
    }
    // Responses still in flight at the deadline are not counted; stop waiting for them soon after.
    setTimeout(() => {
      for (const socket of sockets) socket.destroy();
    }, options.durationMs + 2000).unref();
  });

  const cpu = process.cpuUsage(cpuBefore);
  const elapsed = options.durationMs; // only responses completed by the deadline are counted
  const sorted = latencies.slice(0, completed).sort();
  return {
    completed,
    durationMs: elapsed,
    perSecond: completed / (elapsed / 1000),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    statuses,
    socketErrors,
    generatorCpuPct: ((cpu.user + cpu.system) / 1000 / elapsed) * 100,
    latencies: sorted,
  };
}

/** Several runs of the same load taken as one (e.g. the two halves of an A-B-B-A comparison). */
export function combine(runs: LoadResult[]): LoadResult {
  const completed = runs.reduce((sum, r) => sum + r.completed, 0);
  const durationMs = runs.reduce((sum, r) => sum + r.durationMs, 0);
  const statuses: Record<string, number> = {};
  for (const run of runs) for (const [status, count] of Object.entries(run.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
  const latencies = new Float64Array(completed);
  let at = 0;
  for (const run of runs) {
    latencies.set(run.latencies, at);
    at += run.latencies.length;
  }
  latencies.sort();
  return {
    completed,
    durationMs,
    perSecond: completed / (durationMs / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    statuses,
    socketErrors: runs.reduce((sum, r) => sum + r.socketErrors, 0),
    generatorCpuPct: runs.reduce((sum, r) => sum + r.generatorCpuPct * r.durationMs, 0) / durationMs,
    latencies,
  };
}
