// Latencies of two flows, measured against a running Gatehouse:
// - recovery: POST /recovery for an existing and an unknown account, interleaved, so the
//   enumeration promise ("same answer, same time") shows as two medians side by side;
// - QR sign-in: from the app's confirm to the waiting browser's event stream saying "approved".
// Each request comes from its own client address (X-Forwarded-For; Gatehouse runs with
// TRUST_PROXY=1 here) and each recovery names its own account, so no rate limit interferes.
import { percentile } from './load.ts';
import { BENCH_PASSWORD, emailFor } from './common.ts';

interface Browser {
  cookies: Map<string, string>;
  address: string;
  get(path: string): Promise<Response>;
  post(path: string, fields: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
}

function browserFor(base: string, address: string): Browser {
  const cookies = new Map<string, string>();
  const remember = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return response;
  };
  const headers = () => ({ 'x-forwarded-for': address, cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), origin: base });
  return {
    cookies,
    address,
    get: async (path) => remember(await fetch(base + path, { headers: headers(), redirect: 'manual' })),
    post: async (path, fields, extra = {}) =>
      remember(
        await fetch(base + path, {
          method: 'POST',
          redirect: 'manual',
          headers: { ...headers(), 'content-type': 'application/x-www-form-urlencoded', ...extra },
          body: new URLSearchParams(fields).toString(),
        }),
      ),
  };
}

const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);

export interface RecoveryLatency {
  existingMs: number;
  unknownMs: number;
  samples: number;
  statuses: string;
}

/** `samples` POST /recovery of each kind, alternating, after `warmup` unmeasured pairs. */
export async function measureRecovery(base: string, samples = 200, warmup = 30): Promise<RecoveryLatency> {
  const existing: number[] = [];
  const unknown: number[] = [];
  const statuses = new Map<number, number>();
  for (let i = 0; i < samples + warmup; i++) {
    for (const kind of i % 2 ? (['unknown', 'existing'] as const) : (['existing', 'unknown'] as const)) {
      const browser = browserFor(base, `10.${kind === 'existing' ? 1 : 2}.${Math.floor(i / 250)}.${i % 250}`);
      const csrf = csrfIn(await (await browser.get('/recovery')).text());
      const identifier = kind === 'existing' ? emailFor(i) : `nobody${i}@example.com`;
      const started = performance.now();
      const response = await browser.post('/recovery', { _csrf: csrf, identifier });
      const elapsed = performance.now() - started;
      await response.arrayBuffer();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (i >= warmup) (kind === 'existing' ? existing : unknown).push(elapsed);
    }
  }
  return { existingMs: median(existing), unknownMs: median(unknown), samples, statuses: [...statuses].map(([s, n]) => `${s}×${n}`).join(', ') };
}

/** Waits on the browser's event stream for `wanted`; resolves with the time it arrived. */
async function nextStatus(reader: ReadableStreamDefaultReader<Uint8Array>, wanted: string, buffer: { text: string }): Promise<number> {
  const decoder = new TextDecoder();
  for (;;) {
    const match = buffer.text.match(/data: (\{[^\n]*\})\n\n/);
    if (match) {
      buffer.text = buffer.text.slice((match.index ?? 0) + match[0].length);
      if (JSON.parse(match[1]!).status === wanted) return performance.now();
      continue;
    }
    const { value, done } = await reader.read();
    if (done) throw new Error(`event stream ended before "${wanted}"`);
    buffer.text += decoder.decode(value, { stream: true });
  }
}

export interface QrLatency {
  medianMs: number;
  p95Ms: number;
  samples: number;
}

/** Confirm in the app → "approved" on the waiting browser's stream, `samples` times. */
export async function measureQrConfirmation(base: string, samples = 20): Promise<QrLatency> {
  const signIn = await fetch(`${base}/api/v1/app/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.3.0.1' },
    body: JSON.stringify({ identifier: emailFor(9999), password: BENCH_PASSWORD }),
  });
  if (signIn.status !== 201) throw new Error(`bench: app sign-in answered ${signIn.status}`);
  const bearer = ((await signIn.json()) as { token: string }).token;
  const app = (path: string, token: string) =>
    fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` }, body: JSON.stringify({ token }) });

  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const browser = browserFor(base, `10.4.${Math.floor(i / 250)}.${i % 250}`);
    const page = await (await browser.get('/login')).text();
    const token = /\/qr\/([A-Za-z0-9_-]{43})" data-qr-link/.exec(page)?.[1];
    if (!token) throw new Error('bench: the sign-in page showed no QR');
    const stream = await fetch(`${base}/qr/events`, { headers: { cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-forwarded-for': browser.address } });
    const reader = stream.body!.getReader();
    const buffer = { text: '' };
    await nextStatus(reader, 'pending', buffer);
    await (await app('/api/v1/qr/scan', token)).arrayBuffer();
    await nextStatus(reader, 'scanned', buffer);
    const confirmed = performance.now();
    const confirm = app('/api/v1/qr/confirm', token);
    const arrived = await nextStatus(reader, 'approved', buffer);
    await (await confirm).arrayBuffer();
    latencies.push(arrived - confirmed);
    await reader.cancel();
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  return { medianMs: percentile(sorted, 50), p95Ms: percentile(sorted, 95), samples };
}
