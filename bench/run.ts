// `npm run bench` (DESIGN.md §6): one table from one run on this machine, each Gatehouse number
// beside the machine's own limit measured in the same run. Benchmarks measure; they never fail.
//
//   1. whoami requests/s: Gatehouse's GET /api/v1/whoami with a session cookie, next to a bare
//      node:http server doing the same indexed SELECT on the same SQLite file.
//   2. sign-ins/s: POST /login with the right password, next to the argon2id verify rate of this
//      machine with the same parameters and the same concurrency, in one process.
//   3. passkey sign-ins/s: the app's options call, a real ES256 assertion, its verification call
//      (bench/passkey-sign-ins.ts), next to node:crypto's raw ES256 verify rate, same concurrency.
//   4. peak RSS of the Gatehouse process over the whole run.
//   5. `gatehouse user import` of 100,000 shoppers from a JSONL file (bench/import.ts, once the
//      server has stopped), next to a bare readline + prepared INSERT loop over the same file.
//
// The servers run in child processes; this process is the load generator. Gatehouse runs as `npm
// start` runs it: `npm run build`, then the start script's `node [flags] dist/main.js`
// (bench/server-child.ts). With taskset, during the whoami runs the server gets CPU 1 and the load
// generator CPU 0; sign-ins and the argon2 reference may use every core. Each pair is measured in
// halves ordered A, B, B, A, and the notes say how much CPU other processes took meanwhile: on a
// shared machine the ratios drift with it, while "requests per server CPU-second" hardly does.
//
// Env: BENCH_SECONDS (10) per measurement, BENCH_CONNECTIONS (32) for whoami, BENCH_SIGNIN_CLIENTS
// (8), BENCH_ACCOUNTS (10000), BENCH_IMPORT_ACCOUNTS (100000). Where whoami's time goes: `node --import tsx bench/profile.ts`.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_PASSWORD, emailFor, type SeedResult } from './common.ts';
import { combine, percentile, runLoad, type LoadOptions, type LoadResult } from './load.ts';
import { buildGatehouse, startGatehouse } from './server-child.ts';
import { measureQrConfirmation, measureRecovery } from './flows.ts';
import { measureEs256Verify, measurePasskeySignIns, type RateResult } from './passkey-sign-ins.ts';
import { grantsFor, measureEs256Sign, measureRefreshGrants, measureUserinfo } from './oidc-tokens.ts';
import { benchConfig } from './common.ts';
import type { ImportResult } from './import.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const env = process.env;
const seconds = Number(env.BENCH_SECONDS || 10);
const durationMs = seconds * 1000;
const warmupMs = Math.min(3000, durationMs / 3);
const connections = Number(env.BENCH_CONNECTIONS || 32);
const signInClients = Number(env.BENCH_SIGNIN_CLIENTS || 8);
const accounts = Number(env.BENCH_ACCOUNTS || 10_000);
const importAccounts = Number(env.BENCH_IMPORT_ACCOUNTS || 100_000);
const cores = availableParallelism();

// ---- processes -------------------------------------------------------------------------------

function taskset(args: string[]): boolean {
  try {
    execFileSync('taskset', args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const pinning = cores >= 2 && taskset(['-a', '-p', '-c', '0', String(process.pid)]);
const serverCpus = pinning ? '1' : undefined;
const allCpus = pinning ? `0-${cores - 1}` : undefined;

const children = new Set<ChildProcess>();
function startChild(script: string, args: string[], options: { cpus?: string; nodeArgs?: string[] } = {}): ChildProcess {
  const nodeArgs = [...(options.nodeArgs ?? []), '--import', 'tsx', join(here, script), ...args];
  const [command, argv] = options.cpus ? ['taskset', ['-c', options.cpus, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const child = spawn(command, argv, { cwd: root, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function nextMessage<T>(child: ChildProcess, key: string): Promise<T> {
  return new Promise((resolveMessage, reject) => {
    const onMessage = (message: any) => {
      if (message && typeof message === 'object' && key in message) {
        child.off('exit', onExit);
        child.off('message', onMessage);
        resolveMessage(message as T);
      }
    };
    const onExit = (code: number | null) => reject(new Error(`child exited (${code}) before sending ${key}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolveExit) => {
    if (child.exitCode !== null) resolveExit(child.exitCode);
    else child.once('exit', (code) => resolveExit(code));
  });
}

async function stopServer(child: ChildProcess): Promise<any> {
  const stopped = nextMessage<any>(child, 'stopped');
  child.send('stop');
  const message = await stopped;
  await exited(child);
  return message;
}

/** utime + stime of a process in ms (all its threads). */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}

function statusKib(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : NaN;
}

/** Resets a process's peak RSS (VmHWM) so the next phase's peak can be read on its own. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Busy CPU time of the whole machine in ms (all cores, idle and iowait excluded). */
function machineBusyMs(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
  return ((user + nice + system + irq + softirq + steal) * 1000) / 100;
}

interface CpuShare {
  ms: number;
  /** CPU of the measured server process, % of one core. */
  serverPct: number;
  /** CPU of this process (the load generator), % of one core. */
  generatorPct: number;
  /** CPU of everything else on the machine during the measurement, % of one core. */
  otherPct: number;
}

/** Runs `work` while accounting where the machine's CPU went: the server, us, or anyone else. */
async function withCpu<T>(pid: number, work: () => Promise<T>): Promise<T & { cpu: CpuShare }> {
  const server = cpuMsOf(pid);
  const own = process.cpuUsage();
  const busy = machineBusyMs();
  const started = performance.now();
  const result = await work();
  const elapsed = performance.now() - started;
  const serverMs = cpuMsOf(pid) - server;
  const ownUsage = process.cpuUsage(own);
  const ownMs = (ownUsage.user + ownUsage.system) / 1000;
  const otherMs = Math.max(0, machineBusyMs() - busy - serverMs - ownMs);
  return { ...result, cpu: { ms: elapsed, serverPct: (serverMs / elapsed) * 100, generatorPct: (ownMs / elapsed) * 100, otherPct: (otherMs / elapsed) * 100 } };
}

function addCpu(shares: CpuShare[]): CpuShare {
  const ms = shares.reduce((sum, s) => sum + s.ms, 0);
  const avg = (key: 'serverPct' | 'generatorPct' | 'otherPct') => shares.reduce((sum, s) => sum + s[key] * s.ms, 0) / ms;
  return { ms, serverPct: avg('serverPct'), generatorPct: avg('generatorPct'), otherPct: avg('otherPct') };
}

// ---- requests ---------------------------------------------------------------------------------

const whoamiRequest = (host: string, token: string) =>
  Buffer.from(`GET /api/v1/whoami HTTP/1.1\r\nHost: ${host}\r\nAccept: application/json\r\nCookie: __Host-gh_session=${token}\r\n\r\n`);

/** One prepared request per session; connection c sends sessions c, c+C, c+2C, … round the table. */
function whoamiRequests(url: string, tokens: string[]) {
  const host = new URL(url).host;
  const requests = tokens.map((token) => whoamiRequest(host, token));
  return (conn: number, n: number) => requests[(conn + n * connections) % requests.length]!;
}

async function checkWhoami(url: string, token: string): Promise<number> {
  const response = await fetch(`${url}/api/v1/whoami`, { headers: { cookie: `__Host-gh_session=${token}` } });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`whoami at ${url} answered ${response.status}: ${body.slice(0, 200)}`);
  return body.length;
}

/** A virtual shopper: GET /login once (browser cookie + CSRF token), then POST /login again and again. */
async function signInRequest(url: string, client: number): Promise<Buffer> {
  const page = await fetch(`${url}/login`);
  const html = await page.text();
  const browser = page.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('__Host-gh_browser='));
  const csrf = /name="_csrf"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="_csrf"/.exec(html);
  if (!browser || !csrf) throw new Error('GET /login gave no browser cookie or CSRF token');
  const body = new URLSearchParams({ identifier: emailFor(client), password: BENCH_PASSWORD, _csrf: csrf[1] ?? csrf[2]! }).toString();
  const check = await fetch(`${url}/login`, { method: 'POST', redirect: 'manual', headers: { cookie: browser, 'content-type': 'application/x-www-form-urlencoded' }, body });
  if (check.status !== 303) throw new Error(`POST /login answered ${check.status}, expected 303: ${(await check.text()).slice(0, 300)}`);
  const host = new URL(url).host;
  return Buffer.from(
    `POST /login HTTP/1.1\r\nHost: ${host}\r\nCookie: ${browser}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

// ---- formatting -------------------------------------------------------------------------------

const num = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 1)} ms`;
const pct = (n: number) => `${Math.round(n)}%`;
const statuses = (r: LoadResult) =>
  Object.entries(r.statuses).map(([status, count]) => `${status}×${count}`).join(', ') + (r.socketErrors ? `, ${r.socketErrors} dropped connections` : '');

// ---- the run ----------------------------------------------------------------------------------

interface Argon2Run {
  perSecond: number;
  latencies: number[];
  params: string;
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const notes: string[] = [];
  const startedAt = performance.now();
  const half = durationMs / 2;
  try {
    process.stderr.write(`bench: seeding ${accounts} accounts and sessions…\n`);
    const seeder = startChild('seed.ts', [dataDir, String(accounts)]);
    if ((await exited(seeder)) !== 0) throw new Error('seeding failed');
    const seed: SeedResult = JSON.parse(readFileSync(join(dataDir, 'seed.json'), 'utf8'));
    const count = seed.accounts.toLocaleString('en-US');
    notes.push(`data: ${count} accounts + ${count} sessions in one SQLite file (WAL), seeded through Gatehouse's services in ${(seed.seedMs / 1000).toFixed(1)} s`);

    buildGatehouse();
    // Gatehouse starts on every core, as `npm start` would: it sizes itself from the machine at
    // start (the argon2 gate runs one hash per core it may use). Only once it listens is it pinned
    // to the whoami CPU, and it gets every core back for the sign-ins.
    const started = startGatehouse(dataDir, { cpus: allCpus });
    const gatehouse = started.child;
    children.add(gatehouse);
    gatehouse.on('exit', () => children.delete(gatehouse));
    const bare = startChild('bare-server.ts', [join(dataDir, 'bench.db')], { cpus: serverCpus });
    const gatehouseUrl = await started.url;
    if (pinning) taskset(['-a', '-p', '-c', serverCpus!, String(gatehouse.pid)]);
    const bareUrl = (await nextMessage<{ ready: string }>(bare, 'ready')).ready;
    const peaks: Record<string, number> = { 'start-up': statusKib(gatehouse.pid!, 'VmHWM') };
    const idleKib = statusKib(gatehouse.pid!, 'VmRSS');
    const canResetPeak = resetPeak(gatehouse.pid!);
    const gatehouseBytes = await checkWhoami(gatehouseUrl, seed.tokens[0]!);
    const bareBytes = await checkWhoami(bareUrl, seed.tokens[0]!);

    // 1. whoami. Both servers get the same warm-up, connections and time; the measurement runs
    //    in halves ordered limit, Gatehouse, Gatehouse, limit, so drift on a shared machine
    //    (other processes, turbo, noisy neighbours) falls on both sides alike.
    process.stderr.write(`bench: whoami, Gatehouse vs bare node:http (${seconds} s each)…\n`);
    const bareLoad: Omit<LoadOptions, 'durationMs'> = { url: bareUrl, connections, requestFor: whoamiRequests(bareUrl, seed.tokens) };
    const gatehouseLoad: Omit<LoadOptions, 'durationMs'> = { url: gatehouseUrl, connections, requestFor: whoamiRequests(gatehouseUrl, seed.tokens) };
    await runLoad({ ...bareLoad, durationMs: warmupMs });
    await runLoad({ ...gatehouseLoad, durationMs: warmupMs });
    const limitRuns = [];
    const whoamiRuns = [];
    limitRuns.push(await withCpu(bare.pid!, () => runLoad({ ...bareLoad, durationMs: half })));
    whoamiRuns.push(await withCpu(gatehouse.pid!, () => runLoad({ ...gatehouseLoad, durationMs: half })));
    whoamiRuns.push(await withCpu(gatehouse.pid!, () => runLoad({ ...gatehouseLoad, durationMs: half })));
    limitRuns.push(await withCpu(bare.pid!, () => runLoad({ ...bareLoad, durationMs: half })));
    const limit = combine(limitRuns);
    const whoami = combine(whoamiRuns);
    const limitCpu = addCpu(limitRuns.map((r) => r.cpu));
    const whoamiCpu = addCpu(whoamiRuns.map((r) => r.cpu));
    const bareKib = statusKib(bare.pid!, 'VmHWM');
    await stopServer(bare);
    peaks['whoami'] = statusKib(gatehouse.pid!, 'VmHWM');
    const afterWhoamiKib = statusKib(gatehouse.pid!, 'VmRSS');
    if (canResetPeak) resetPeak(gatehouse.pid!);

    // 2. sign-ins. argon2 dominates and runs on libuv's thread pool, so Gatehouse may use every
    //    core now, as may the reference process; same A-B-B-A order.
    if (pinning) taskset(['-a', '-p', '-c', allCpus!, String(gatehouse.pid)]);
    process.stderr.write(`bench: sign-ins vs argon2id verify rate (${seconds} s each)…\n`);
    const argonChild = startChild('argon2-rate.ts', [dataDir, String(signInClients)], { cpus: allCpus });
    await nextMessage(argonChild, 'ready');
    const argonRun = (ms: number) => {
      const answer = nextMessage<Argon2Run>(argonChild, 'perSecond');
      argonChild.send({ run: ms });
      return answer;
    };
    const signIns = await Promise.all(Array.from({ length: signInClients }, (_, client) => signInRequest(gatehouseUrl, client)));
    const signInLoad = { url: gatehouseUrl, connections: signInClients, requestFor: (conn: number) => signIns[conn]! };
    await runLoad({ ...signInLoad, durationMs: warmupMs });
    await argonRun(warmupMs);
    const signInRuns = [];
    const argonRuns = [];
    signInRuns.push(await withCpu(gatehouse.pid!, () => runLoad({ ...signInLoad, durationMs: half })));
    argonRuns.push(await withCpu(argonChild.pid!, () => argonRun(half)));
    argonRuns.push(await withCpu(argonChild.pid!, () => argonRun(half)));
    signInRuns.push(await withCpu(gatehouse.pid!, () => runLoad({ ...signInLoad, durationMs: half })));
    const signIn = combine(signInRuns);
    const signInCpu = addCpu(signInRuns.map((r) => r.cpu));
    const argonCpu = addCpu(argonRuns.map((r) => r.cpu));
    const argonLatencies = argonRuns.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const argon = {
      perSecond: argonLatencies.length / (argonRuns.length * half / 1000),
      p50Ms: percentile(argonLatencies, 50),
      p99Ms: percentile(argonLatencies, 99),
      params: argonRuns[0]!.params,
    };
    const argonStopped = await stopServer(argonChild);

    // 3. flows: recovery for existing vs unknown accounts (enumeration by timing), and how long a
    // QR confirmation takes to reach the waiting browser. Measured after the peak-memory phases.
    const recovery = await measureRecovery(gatehouseUrl);
    const qr = await measureQrConfirmation(gatehouseUrl);

    // Passkey sign-ins vs the raw ES256 verify rate, halves ordered A, B, B, A as above.
    process.stderr.write(`bench: passkey sign-ins vs ES256 verify rate (${seconds} s each)…\n`);
    const config = benchConfig(dataDir);
    const passkeyLoad = { rpId: config.passkeyRpId, origin: new URL(config.publicUrl).origin, concurrency: signInClients };
    await measurePasskeySignIns(gatehouseUrl, seed.passkeys, { ...passkeyLoad, ms: warmupMs });
    await measureEs256Verify({ concurrency: signInClients, ms: warmupMs });
    const passkeyRuns: RateResult[] = [];
    const es256Runs: RateResult[] = [];
    passkeyRuns.push(await measurePasskeySignIns(gatehouseUrl, seed.passkeys, { ...passkeyLoad, ms: half }));
    es256Runs.push(await measureEs256Verify({ concurrency: signInClients, ms: half }));
    es256Runs.push(await measureEs256Verify({ concurrency: signInClients, ms: half }));
    passkeyRuns.push(await measurePasskeySignIns(gatehouseUrl, seed.passkeys, { ...passkeyLoad, ms: half }));
    const meanOf = (runs: { perSecond: number; p50Ms: number }[], key: 'perSecond' | 'p50Ms') => runs.reduce((sum, r) => sum + r[key], 0) / runs.length;
    const mergeStatuses = (runs: { statuses: Record<string, number> }[]) => Object.entries(runs.reduce<Record<string, number>>((all, r) => { for (const [k, n] of Object.entries(r.statuses)) all[k] = (all[k] ?? 0) + n; return all; }, {}));
    const passkey = { perSecond: meanOf(passkeyRuns, 'perSecond'), p50Ms: meanOf(passkeyRuns, 'p50Ms'), statuses: Object.entries(passkeyRuns.reduce<Record<string, number>>((all, r) => { for (const [k, n] of Object.entries(r.statuses)) all[k] = (all[k] ?? 0) + n; return all; }, {})) };
    const es256 = { perSecond: meanOf(es256Runs, 'perSecond'), p50Ms: meanOf(es256Runs, 'p50Ms') };

    // The sign-in phases' peak, apart from the OpenID phase's.
    peaks['sign-ins'] = statusKib(gatehouse.pid!, 'VmHWM');
    if (canResetPeak) resetPeak(gatehouse.pid!);

    // "Sign in with <Store>": refresh grants vs raw ES256 signing, userinfo vs whoami (above).
    process.stderr.write(`bench: OpenID refresh grants and userinfo (${seconds} s each)…\n`);
    const grants = await grantsFor(gatehouseUrl, seed.app, seed.tokens.slice(0, signInClients));
    await measureRefreshGrants(gatehouseUrl, seed.app, grants, warmupMs);
    const refreshRuns: RateResult[] = [];
    const signRuns: RateResult[] = [];
    refreshRuns.push(await measureRefreshGrants(gatehouseUrl, seed.app, grants, half));
    signRuns.push(await measureEs256Sign(signInClients, half));
    signRuns.push(await measureEs256Sign(signInClients, half));
    refreshRuns.push(await measureRefreshGrants(gatehouseUrl, seed.app, grants, half));
    await measureUserinfo(gatehouseUrl, grants, warmupMs);
    const userinfoRun = await measureUserinfo(gatehouseUrl, grants, durationMs);
    const refresh = { perSecond: meanOf(refreshRuns, 'perSecond'), p50Ms: meanOf(refreshRuns, 'p50Ms'), statuses: mergeStatuses(refreshRuns) };
    const es256Sign = { perSecond: meanOf(signRuns, 'perSecond'), p50Ms: meanOf(signRuns, 'p50Ms') };

    // 4. peak memory of Gatehouse over the whole run (the largest of the phases' peaks).
    // (Without clear_refs VmHWM is never reset, so this last reading is the whole run's peak.)
    peaks['openid'] = statusKib(gatehouse.pid!, 'VmHWM');
    const gatehouseExit = await started.stop();
    if (gatehouseExit !== 0) notes.push(`**Gatehouse exited with ${gatehouseExit} on SIGTERM**`);

    // 5. importing existing shoppers, alone on the machine's cores now that the server is gone.
    process.stderr.write(`bench: importing ${importAccounts.toLocaleString('en-US')} accounts…\n`);
    const importDir = join(dataDir, 'import');
    if ((await exited(startChild('import.ts', [importDir, String(importAccounts)]))) !== 0) throw new Error('the import bench failed');
    const imported: ImportResult = JSON.parse(readFileSync(join(importDir, 'import.json'), 'utf8'));
    // The target was set for what every store runs (start-up, whoami, sign-ins); the OpenID provider,
    // loaded only by a store whose other apps sign in through it, is shown on a row of its own.
    const peakKib = Math.max(...Object.entries(peaks).filter(([phase]) => phase !== 'openid').map(([, kib]) => kib));
    const openIdPeakKib = peaks['openid'] ?? 0;

    const whoamiRatio = whoami.perSecond / limit.perSecond;
    const signInRatio = signIn.perSecond / argon.perSecond;
    const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
    const peakMib = peakKib / 1024;
    const verdict = (met: boolean) => (met ? 'met' : '**missed**');
    const rows = [
      ['measurement', 'Gatehouse', 'machine limit', 'ratio', 'target'],
      [`whoami requests/s (${connections} conns, ${seconds} s)`, num(whoami.perSecond), `${num(limit.perSecond)} (bare node:http + 1 SELECT)`, pct(whoamiRatio * 100), `≥ 50% — ${verdict(whoamiRatio >= 0.5)}`],
      ['whoami requests per server CPU-second', num(whoami.completed / ((whoamiCpu.serverPct / 100) * whoami.durationMs / 1000)), num(limit.completed / ((limitCpu.serverPct / 100) * limit.durationMs / 1000)), pct((whoami.completed / whoamiCpu.serverPct) / (limit.completed / limitCpu.serverPct) * 100), '— (robust to other load)'],
      ['whoami latency p50', ms(whoami.p50Ms), ms(limit.p50Ms), `${(whoami.p50Ms / limit.p50Ms).toFixed(1)}×`, '—'],
      ['whoami latency p99', ms(whoami.p99Ms), ms(limit.p99Ms), `${(whoami.p99Ms / limit.p99Ms).toFixed(1)}×`, '—'],
      [`sign-ins/s (${signInClients} clients, ${seconds} s)`, num(signIn.perSecond), `${num(argon.perSecond)} (argon2id verify/s, ${argon.params}, ${signInClients} in flight)`, pct(signInRatio * 100), `≥ 80% — ${verdict(signInRatio >= 0.8)}`],
      ['sign-in latency p50', ms(signIn.p50Ms), `${ms(argon.p50Ms)} (one verify)`, `${(signIn.p50Ms / argon.p50Ms).toFixed(1)}×`, '—'],
      ['sign-in latency p99', ms(signIn.p99Ms), `${ms(argon.p99Ms)} (one verify)`, `${(signIn.p99Ms / argon.p99Ms).toFixed(1)}×`, '—'],
      [`passkey sign-ins/s (${signInClients} clients, ${seconds} s)`, num(passkey.perSecond), `${num(es256.perSecond)} (raw ES256 verify/s, node:crypto, ${signInClients} in flight)`, pct((passkey.perSecond / es256.perSecond) * 100), '—'],
      ['passkey sign-in latency p50 (2 requests)', ms(passkey.p50Ms), `${ms(es256.p50Ms)} (one verify)`, `${(passkey.p50Ms / es256.p50Ms).toFixed(1)}×`, '—'],
      [`OpenID refresh grants/s (${signInClients} apps, ${seconds} s)`, num(refresh.perSecond), `${num(es256Sign.perSecond)} (raw ES256 sign/s, node:crypto, ${signInClients} in flight)`, pct((refresh.perSecond / es256Sign.perSecond) * 100), '—'],
      ['OpenID refresh grant latency p50', ms(refresh.p50Ms), `${ms(es256Sign.p50Ms)} (one sign)`, `${(refresh.p50Ms / es256Sign.p50Ms).toFixed(1)}×`, '—'],
      [`OpenID userinfo/s (${signInClients} apps, ${seconds} s)`, num(userinfoRun.perSecond), `${num(whoami.perSecond)} (whoami above, ${connections} conns)`, pct((userinfoRun.perSecond / whoami.perSecond) * 100), '—'],
      ['recovery request, median: existing vs unknown account', `${ms(recovery.existingMs)} vs ${ms(recovery.unknownMs)}`, '—', `Δ ${ms(Math.abs(recovery.existingMs - recovery.unknownMs))}`, `Δ < 0.5 ms — ${verdict(Math.abs(recovery.existingMs - recovery.unknownMs) < 0.5)}`],
      ['QR: app confirms → waiting browser told (SSE)', `${ms(qr.medianMs)} median, ${ms(qr.p95Ms)} p95`, '—', '—', '—'],
      ['peak RSS of the Gatehouse process (start-up, whoami, sign-ins)', mib(peakKib), `${mib(argonStopped.maxRssKib)} (node + tsx + the argon2 reference alone)`, `${(peakKib / argonStopped.maxRssKib).toFixed(1)}×`, `< 150 MiB — ${verdict(peakMib < 150)}`],
      ['peak RSS, with the OpenID provider loaded (oidc-provider + Koa ≈ 29 MiB on their own)', mib(openIdPeakKib), '—', '—', '—'],
      [`import ${imported.accounts.toLocaleString('en-US')} accounts (JSONL → SQLite, ${imported.imported === imported.accounts ? 'all imported' : `**${imported.imported} imported**`})`, `${(imported.gatehouseMs / 1000).toFixed(1)} s (${num(imported.accounts / (imported.gatehouseMs / 1000))}/s)`, `${(imported.bareMs / 1000).toFixed(1)} s (bare readline + JSON.parse + prepared INSERT)`, pct((imported.bareMs / imported.gatehouseMs) * 100), `< 60 s — ${verdict(imported.gatehouseMs < 60_000)}`],
    ];

    const cpuShare = (label: string, c: CpuShare, generator = true) =>
      `${label} ${pct(c.serverPct)}${generator ? `, load generator ${pct(c.generatorPct)}` : ''}, other processes ${pct(c.otherPct)}`;
    notes.push(`whoami: ${connections} keep-alive connections, sessions round-robin over all ${seed.tokens.length.toLocaleString('en-US')}; body ${gatehouseBytes} B (Gatehouse) vs ${bareBytes} B (bare); order limit, Gatehouse, Gatehouse, limit, ${seconds / 2} s each, after ${warmupMs / 1000} s warm-up each`);
    notes.push(`whoami answers: Gatehouse ${statuses(whoami)}; bare ${statuses(limit)}`);
    notes.push(`whoami CPU (100% = one core): ${cpuShare('Gatehouse', whoamiCpu)} | ${cpuShare('bare server', limitCpu)}`);
    notes.push(`sign-ins: each client did GET /login once (browser cookie + CSRF token), then POST /login with the right password again and again; answers ${statuses(signIn)}`);
    notes.push(`passkey sign-ins: ${seed.passkeys.length} seeded ES256 passkeys, each client its own; one sign-in = POST …/passkey/options, an ES256 assertion signed in the load generator, POST …/passkey → 201 with a token; answers ${passkey.statuses.map(([s, n]) => `${s}×${n}`).join(', ')}`);
    notes.push(`OpenID: each of ${signInClients} apps got its grant by single sign-on (a seeded session, PKCE, a first-party app), then POST /oidc/token grant_type=refresh_token (HTTP Basic, rotation on every use, a new ES256 ID token each time) back to back, answers ${refresh.statuses.map(([s, n]) => `${s}×${n}`).join(', ')}; userinfo: GET /oidc/me with each app's opaque access token, answers ${Object.entries(userinfoRun.statuses).map(([s, n]) => `${s}×${n}`).join(', ')}; refresh and ES256 halves ordered A, B, B, A, no CPU pinning`);
    notes.push(`recovery: ${recovery.samples} POST /recovery of each kind, interleaved, each from its own client address and for its own account; answers ${recovery.statuses}`);
    notes.push(`QR: ${qr.samples} sign-ins; time from sending the app's confirm to the "approved" event on the browser's stream, one node`);
    notes.push(`sign-in CPU: ${cpuShare('Gatehouse', signInCpu)} | ${cpuShare('argon2 reference', argonCpu, false)}`);
    notes.push(`Gatehouse RSS: ${mib(idleKib)} after start-up, ${mib(afterWhoamiKib)} after whoami; peaks ${Object.entries(peaks).map(([phase, kib]) => `${phase} ${mib(kib)}`).join(', ')}` +
      `${canResetPeak ? '' : ' (peaks not separable: /proc/<pid>/clear_refs not writable)'}; bare server peak ${mib(bareKib)}`);
    notes.push(`import: a ${mib(imported.fileBytes / 1024)} file, one line per shopper with a bcrypt, phpass, Django PBKDF2, scrypt or argon2id hash (read and checked, never computed), 500 rows a transaction; peak RSS of the importing process ${mib(imported.maxRssKib)} (tsx and the sources loaded)`);
    const busiest = Math.max(whoamiCpu.otherPct, limitCpu.otherPct, signInCpu.otherPct, argonCpu.otherPct);
    if (busiest > 15) notes.push(`**the machine was not quiet**: other processes used up to ${pct(busiest)} of a core during a measurement; expect noise in the ratios`);

    const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
    console.log(`\nGatehouse bench — node ${process.version}, ${cpuModel}, ${cores} cores` +
      (pinning ? ' (whoami: server on CPU 1, load generator on CPU 0)' : ' (no CPU pinning)') + `\n`);
    const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
    const line = (row: string[]) => `| ${row.map((cell, col) => cell.padEnd(widths[col]!)).join(' | ')} |`;
    console.log(line(rows[0]!));
    console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
    for (const row of rows.slice(1)) console.log(line(row));
    console.log('');
    for (const note of notes) console.log(`- ${note}`);
    console.log(`- whole bench: ${((performance.now() - startedAt) / 1000).toFixed(0)} s`);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
