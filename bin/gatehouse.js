#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx gatehouse …` works straight from a checkout.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const result = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(root, 'src/cli/gatehouse.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
