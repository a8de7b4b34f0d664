// A node:test reporter that writes where the suite's time goes, one line per test file, slowest
// first, by the sum of its top-level tests' own durations (what the file itself costs; the process
// start and module loading, about a second a file, are not in it). test/run-all.mjs writes it to test-results/file-times.txt next to the normal output,
// so a slow file is found by reading, not by guessing.
import { sourceFileOf } from './test-groups.mjs';

export default async function* fileTimes(source) {
  const files = new Map();
  const started = Date.now();
  for await (const event of source) {
    // test/run-all.mjs runs bundles: one per file or per group of files (test-groups.mjs).
    if ((event.type !== 'test:pass' && event.type !== 'test:fail') || event.data.nesting !== 0) continue;
    const file = sourceFileOf(event.data);
    if (!file) continue;
    let entry = files.get(file);
    if (!entry) files.set(file, (entry = { tests: 0, ownMs: 0 }));
    entry.tests += 1;
    entry.ownMs += event.data.details?.duration_ms ?? 0;
  }
  const rows = [...files].sort((a, b) => b[1].ownMs - a[1].ownMs);
  const total = rows.reduce((sum, [, entry]) => sum + entry.ownMs, 0);
  yield `# test files by their tests' own time (sum ${Math.round(total / 1000)} s; run ${Math.round((Date.now() - started) / 1000)} s)\n`;
  yield `#   own s  top-level  file\n`;
  for (const [file, entry] of rows) {
    const own = (entry.ownMs / 1000).toFixed(1).padStart(7);
    yield `${own} ${String(entry.tests).padStart(10)}  ${file}\n`;
  }
}
