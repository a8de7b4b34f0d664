#!/usr/bin/env node
// `npx gatehouse …`: runs the built CLI (dist/, made by `npm run build` and by `npm start`) when it
// is at least as new as every source file, with the node flags of `npm start` so that `gatehouse
// serve` runs as production does; otherwise the TypeScript sources through tsx, so a checkout
// with fresh edits never runs stale code.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist/cli/gatehouse.js');

/** Newest modification time of any file under `dir`. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

let argv;
if (existsSync(built) && statSync(built).mtimeMs >= newest(join(root, 'src'))) {
  // "start": "node [flags] dist/main.js" → the same flags here.
  const start = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start;
  argv = [...start.split(/\s+/).filter((arg) => arg.startsWith('--')), built];
} else {
  argv = ['--import', import.meta.resolve('tsx'), join(root, 'src/cli/gatehouse.ts')];
}
const result = spawnSync(process.execPath, [...argv, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
