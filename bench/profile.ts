// Where whoami's time goes: seeds the bench data, starts Gatehouse with `--cpu-prof`, drives
// GET /api/v1/whoami for a while with the bench's load generator, stops it and summarises the V8
// CPU profile (self time by package/file, self time by function, inclusive time of our own code).
//
// Usage: node --import tsx bench/profile.ts [seconds=10] [connections=32]
//        node --import tsx bench/profile.ts --summary <file.cpuprofile>   (just summarise)
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SeedResult } from './common.ts';
import { runLoad } from './load.ts';
import { summarise } from './profile-summary.ts';
import { startGatehouse } from './server-child.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

async function profileWhoami(seconds: number, connections: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-profile-'));
  const profDir = join(dataDir, 'prof');
  try {
    const run = (script: string, args: string[]) =>
      spawn(process.execPath, ['--import', 'tsx', join(here, script), ...args], { cwd: root, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const seeder = run('seed.ts', [dataDir, '10000']);
    await new Promise((ok) => seeder.once('exit', ok));
    const seed: SeedResult = JSON.parse(readFileSync(join(dataDir, 'seed.json'), 'utf8'));
    // Gatehouse as npm start runs it (the built bundle), under the profiler.
    const server = startGatehouse(dataDir, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] });
    const url = await server.url;
    const host = new URL(url).host;
    const requests = seed.tokens.map((t) => Buffer.from(`GET /api/v1/whoami HTTP/1.1\r\nHost: ${host}\r\nCookie: __Host-gh_session=${t}\r\n\r\n`));
    const result = await runLoad({ url, connections, durationMs: seconds * 1000, requestFor: (c, n) => requests[(c + n * connections) % requests.length]! });
    console.log(`whoami under the profiler: ${Math.round(result.perSecond)} requests/s, p50 ${result.p50Ms.toFixed(2)} ms, statuses ${JSON.stringify(result.statuses)}\n`);
    await server.stop();
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no profile written');
    console.log(summarise(join(profDir, file)));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
if (args[0] === '--summary') console.log(summarise(args[1]!));
else await profileWhoami(Number(args[0] || 10), Number(args[1] || 32));
