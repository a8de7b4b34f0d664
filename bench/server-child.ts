// Gatehouse for the bench, started exactly as `npm start` runs it: `npm run build` (the esbuild
// bundle of src/main.ts into dist/), then the command of package.json's "start" script (`node
// [flags] dist/main.js`, read from package.json so the two cannot drift apart) with its
// configuration in the environment (benchEnv: SQLite on the seeded file, port 0, no dispatcher,
// silent log). No tsx, no bench code inside the measured process; its address is read from the
// line main.ts prints, and it is stopped with SIGTERM like any service.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchEnv } from './common.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

let built = false;
/** `npm run build`, once per bench process, so the bench measures the sources as they are now. */
export function buildGatehouse() {
  if (built) return;
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  built = true;
}

/** The arguments after `node` in package.json's start script, e.g. ['--max-semi-space-size=4', 'dist/main.js']. */
export function startCommand(): string[] {
  const start: string = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start;
  const [node, ...args] = start.trim().split(/\s+/);
  if (node !== 'node' || args.at(-1) !== 'dist/main.js' || args.some((arg) => /["'$&|;<>]/.test(arg))) {
    throw new Error(`bench: package.json's start script is "${start}"; expected "node [flags] dist/main.js" — update bench/server-child.ts`);
  }
  return args;
}

export interface GatehouseProcess {
  child: ChildProcess;
  /** The address Gatehouse printed once listening. */
  url: Promise<string>;
  /** SIGTERM, then the exit code once it is gone. */
  stop(): Promise<number | null>;
}

/** Starts the built Gatehouse on a bench data directory; `cpus` pins it with taskset. */
export function startGatehouse(dataDir: string, options: { cpus?: string; nodeArgs?: string[] } = {}): GatehouseProcess {
  buildGatehouse();
  const nodeArgv = [...(options.nodeArgs ?? []), ...startCommand()];
  const [command, argv] = options.cpus ? ['taskset', ['-c', options.cpus, process.execPath, ...nodeArgv]] : [process.execPath, nodeArgv];
  // Only the bench configuration (plus PATH), as loadConfig(benchEnv) saw it in the seeder.
  const child = spawn(command, argv, { cwd: root, env: { PATH: process.env.PATH ?? '', ...benchEnv(dataDir) }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const url = new Promise<string>((resolveUrl, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (\S+?),/.exec(output);
      if (match) {
        child.stdout!.off('data', onData);
        child.stdout!.resume(); // keep draining whatever else it prints
        resolveUrl(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    exited.then((code) => reject(new Error(`Gatehouse exited (${code}) before listening: ${output.trim()}`)));
  });
  url.catch(() => {});
  return {
    child,
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
