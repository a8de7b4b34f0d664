// Loaded into every test file's process (node --import, from test/run-all.mjs). A test process
// that will not end must fail quickly with a description of what holds it, not hang the whole
// run: node's runner waits for each file's process to exit, so one socket or timer left open by a
// teardown silently stops CI until its 90-minute limit.
//
//   - after the file's last test and hook: if the process is still alive LINGER_MS later, print
//     what keeps it alive and exit with the tests' own result. Every assertion has run by then;
//     whether Gatehouse itself closes cleanly is asserted where it belongs (test/http/shutdown.test.ts),
//     and a leftover of a test's own making must not cost the run its verdict;
//   - a file still running after FILE_LIMIT_MS: the same report, and the file fails (exit 1).
import { after } from 'node:test';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const LINGER_MS = Number(process.env.TEST_LINGER_SECONDS ?? 20) * 1000;
const FILE_LIMIT_MS = Number(process.env.TEST_FILE_LIMIT_SECONDS ?? 600) * 1000;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const file = relative(root, process.argv[1] ?? '?');

// Timers are not handles; remember the ones made through the global functions so the report can
// say which function a forgotten interval would call. (Not async_hooks: enabling it makes every
// promise tracked, which slows the whole suite down.)
const timers = new Set();
if (process.env.NODE_TEST_CONTEXT) {
  for (const name of ['setTimeout', 'setInterval']) {
    const original = globalThis[name];
    const remembering = function (...args) {
      const timer = original.apply(this, args);
      timers.add(timer);
      if (timers.size > 2000) for (const old of timers) if (old._destroyed) timers.delete(old);
      return timer;
    };
    // Keeps util.promisify.custom, so `promisify(setTimeout)` still works.
    Object.defineProperties(remembering, Object.getOwnPropertyDescriptors(original));
    globalThis[name] = remembering;
  }

  const limit = setTimeout(() => report(`still running after ${FILE_LIMIT_MS / 1000} s; failing it`, 1), FILE_LIMIT_MS);
  limit.unref();

  after(() => {
    clearTimeout(limit);
    const linger = setTimeout(
      () => report(`its tests have ended, but the process was still alive ${LINGER_MS / 1000} s later; ending it with the tests' result`, process.exitCode),
      LINGER_MS,
    );
    linger.unref();
  });
}

function describeHandle(handle) {
  const kind = handle?.constructor?.name ?? typeof handle;
  if (kind === 'Socket' || kind === 'TLSSocket') {
    if (handle.fd === 0 || handle.fd === 1 || handle.fd === 2 || (handle._type === 'pipe' && !handle.remotePort)) return null;
    return `${kind} ${handle.localAddress}:${handle.localPort} -> ${handle.remoteAddress}:${handle.remotePort}${handle.destroyed ? ' (destroyed)' : ''}`;
  }
  if (kind === 'Server') {
    const address = handle.address?.();
    return `Server listening on ${typeof address === 'object' && address ? `${address.address}:${address.port}` : address}`;
  }
  if (kind === 'ChildProcess') return `ChildProcess pid ${handle.pid} (${handle.spawnfile})`;
  return kind;
}

function describeTimer(timer) {
  const source = String(timer._onTimeout ?? '').replace(/\s+/g, ' ').slice(0, 160);
  return `Timeout ${timer._repeat ? 'every' : 'after'} ${timer._idleTimeout} ms: ${source}`;
}

/**
 * What keeps this process alive now, besides its own stdio: handles (sockets, servers, child
 * processes) and referenced timers, each with a line that says what it is. Also used by
 * test/http/shutdown.test.ts to see what a closed Gatehouse left behind.
 */
export function liveResources() {
  const handles = process._getActiveHandles()
    .map((handle) => ({ resource: handle, description: describeHandle(handle) }))
    .filter((entry) => entry.description !== null);
  const liveTimers = [...timers.values()]
    .filter((timer) => !timer._destroyed && typeof timer.hasRef === 'function' && timer.hasRef())
    .map((timer) => ({ resource: timer, description: describeTimer(timer) }));
  return [...handles, ...liveTimers];
}

function report(why, exitCode) {
  const text = [
    `[hang-watchdog] ${file}: ${why}.`,
    `[hang-watchdog] what keeps it alive (a teardown should have closed these):`,
    ...liveResources().map((entry) => `[hang-watchdog]   ${entry.description}`),
    `[hang-watchdog] resources: ${process.getActiveResourcesInfo().join(', ')}`,
  ].join('\n');
  process.stderr.write(`${text}\n`);
  try {
    mkdirSync(join(root, 'test-results'), { recursive: true });
    appendFileSync(join(root, 'test-results', 'hangs.log'), `${new Date().toISOString()}\n${text}\n\n`);
  } catch {
    // the report on stderr is what matters
  }
  process.exit(exitCode);
}
