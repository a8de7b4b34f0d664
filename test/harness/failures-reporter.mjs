// A node:test reporter that writes only the failures: which file, which test (with the suites it
// sits in) and the first lines of its error. test/run-all.mjs prints it after the run, so a CI log
// that keeps only its last page still says what failed (the TAP above is thousands of lines).
import { sourceFileOf } from './test-groups.mjs';

export default async function* failures(source) {
  // Per file, the names of the suites and tests open at each nesting level (files run side by
  // side, so their events interleave).
  const paths = new Map();
  for await (const event of source) {
    const key = event.data?.file ?? '';
    if (!paths.has(key)) paths.set(key, []);
    const path = paths.get(key);
    if (event.type === 'test:start') path[event.data.nesting] = event.data.name;
    if (event.type !== 'test:fail') continue;
    const error = event.data.details?.error;
    // A suite fails when a test in it did; the test itself is the line worth reading.
    if (error?.failureType === 'subtestsFailed') continue;
    const file = sourceFileOf(event.data) ?? '(no file)';
    const names = [...path.slice(0, event.data.nesting), event.data.name].join(' › ');
    const cause = error?.cause ?? error;
    const message = String(cause?.stack ?? cause?.message ?? cause ?? 'failed').split('\n').slice(0, 12).join('\n    ');
    yield `not ok: ${file}\n  ${names}\n    ${message}\n\n`;
  }
}
