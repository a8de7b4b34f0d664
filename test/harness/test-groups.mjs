// Which test files share a process, and how a test's event is traced back to its file.
//
// A test process costs about 1.2 s of CPU before its first test: loading fastify, pino, kysely,
// zxcvbn's dictionaries and the rest, and the first app build's schema compilation (measured here:
// a file that starts and stops one Gatehouse took 1.6–1.9 s of CPU; five in one process 1.8 s).
// On a 2-core machine where the suite is CPU-bound, that was about a fifth of the whole run. So
// the short files of one folder run in one process, in their usual order, a few at a time
// (GROUP_SIZE), bundled together: one load, one compilation, shared by all of them. The long
// files — browser journeys, clusters, CLI runs — keep a process each, since they start first
// and the short groups fill in beside them.
//
// Grouping is safe because the files keep no state at the top level of the process: every
// Gatehouse, database, browser and port is made in a test's or a suite's hooks and closed there
// (one file, import/shopper-import.test.ts, has a top-level after(): it runs at the group's end).
// The files that count what their process has loaded carry ALONE_MARK and keep a process each.
// Five to a process by default (TEST_GROUP_SIZE; 1 turns grouping off): 12 measured no faster.
import { readFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';

export const GROUP_SIZE = Math.max(1, Number(process.env.TEST_GROUP_SIZE || 5));

/** Folders whose files run alone (long, or start processes and browsers of their own). */
const ALONE = ['e2e', 'cluster', 'cli'];

/**
 * A file that proves something is loaded lazily ("never by start-up") counts what its process has
 * loaded, so it must be the only file in it; it says so in its first lines with this mark.
 */
export const ALONE_MARK = '// test-groups: alone';
const markedAlone = (file) => readFileSync(file, 'utf8').slice(0, 2000).includes(ALONE_MARK);

/**
 * The processes to run: `{ files, bundle }` each, in the order given (long files first, as
 * test/run-all.mjs sorts them). `bundle` is where the process's bundle goes: beside the file for a
 * lone file (`.name.bundle.mjs`), `.group-<folder>-<n>.bundle.mjs` in the folder for a group.
 */
export function planProcesses(files, testDir) {
  const lone = (file) => ALONE.some((folder) => file.startsWith(join(testDir, folder) + sep)) || markedAlone(file);
  const units = [];
  const open = new Map(); // folder → the group being filled
  const counts = new Map(); // folder → groups made so far
  for (const file of files) {
    if (GROUP_SIZE === 1 || lone(file)) {
      units.push({ files: [file], bundle: join(dirname(file), `.${basename(file).replace(/\.tsx?$/, '')}.bundle.mjs`) });
      continue;
    }
    const folder = dirname(file);
    let group = open.get(folder);
    if (!group || group.files.length >= GROUP_SIZE) {
      const n = (counts.get(folder) ?? 0) + 1;
      counts.set(folder, n);
      const name = relative(testDir, folder).split(sep).join('-') || 'test';
      group = { files: [], bundle: join(folder, `.group-${name}-${n}.bundle.mjs`), group: true };
      open.set(folder, group);
      units.push(group);
    }
    group.files.push(file);
  }
  return units;
}

/**
 * An esbuild plugin that makes each group's entry in memory (`import './a.test.ts'` per file, in
 * order), so that no entry file is ever written into the tree.
 */
export function groupEntries(units) {
  const byBundle = new Map(units.filter((unit) => unit.group).map((unit) => [unit.bundle, unit]));
  return {
    name: 'gatehouse-test-groups',
    setup(build) {
      build.onResolve({ filter: /^gatehouse-group:/ }, (args) => ({ path: args.path.slice('gatehouse-group:'.length), namespace: 'gatehouse-group' }));
      build.onLoad({ filter: /.*/, namespace: 'gatehouse-group' }, (args) => {
        const unit = byBundle.get(args.path);
        return {
          contents: unit.files.map((file) => `import ${JSON.stringify(`./${basename(file)}`)};`).join('\n'),
          resolveDir: dirname(unit.bundle),
          loader: 'js',
        };
      });
    },
  };
}

// ---- for the reporters ----------------------------------------------------------------------

const sourcesOfBundle = new Map(); // bundle path → [{ line, file }], from esbuild's `// path` comments

function moduleStarts(bundle) {
  let starts = sourcesOfBundle.get(bundle);
  if (!starts) {
    starts = [];
    try {
      readFileSync(bundle, 'utf8').split('\n').forEach((text, index) => {
        const match = /^\/\/ (\S+\.tsx?)$/.exec(text);
        if (match) starts.push({ line: index + 1, file: match[1] });
      });
    } catch {
      // Gone already (the run was interrupted): the group's own name is all there is.
    }
    sourcesOfBundle.set(bundle, starts);
  }
  return starts;
}

/**
 * The test file an event came from, relative to `cwd`: the .ts beside a lone bundle; in a group,
 * the test file whose code holds the event's line (a test made by a helper in a kit is counted
 * to the group, named as such).
 */
export function sourceFileOf(data, cwd = process.cwd()) {
  const bundle = data?.file;
  if (!bundle) return undefined;
  const shown = (path) => (path.startsWith(cwd + sep) ? path.slice(cwd.length + 1) : path);
  if (!/\/\.group-[^/]+\.bundle\.mjs$/.test(bundle)) return shown(bundle.replace(/\/\.([^/]+)\.bundle\.mjs$/, '/$1.ts'));
  const starts = moduleStarts(bundle);
  let found;
  for (const start of starts) {
    if (start.line > (data.line ?? 0)) break;
    found = start.file;
  }
  if (found && found.endsWith('.test.ts')) return found;
  return `${shown(bundle)} (a test made by ${found ?? 'a helper'})`;
}
