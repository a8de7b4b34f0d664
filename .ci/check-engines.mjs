// Fails when this Node.js is outside the `engines.node` range of Gatehouse or of any installed
// dependency: what npm reports as an EBADENGINE warning, made a CI error, for each Node we run on.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const semver = require('semver');
const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8'));
const root = new URL('../', import.meta.url);

const unfit = [];
for (const [path, entry] of Object.entries(lock.packages)) {
  const range = entry.engines?.node;
  // Platform packages for other systems are in the lock but not installed: npm skips them too.
  if (!range || (path !== '' && !existsSync(new URL(path, root)))) continue;
  if (!semver.satisfies(process.version, range)) unfit.push(`${path || 'gatehouse'}@${entry.version}: wants node ${range}`);
}
if (unfit.length > 0) {
  console.error(`EBADENGINE on node ${process.version}:\n  ${unfit.join('\n  ')}`);
  process.exit(1);
}
console.log(`engines: every installed package accepts node ${process.version}`);
