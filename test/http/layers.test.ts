// Issue 14 §5 "Layers one way": http/ is a library every flow uses, so it may import nothing that
// imports it (the server assembly lives in server/, on top), and no folder of src/ imports a
// folder that imports it back. A cycle makes every folder in it a dependency of every other: a
// change to a page's layout would then reach the code service and the courier, and no folder
// could be read, tested or replaced on its own.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts)$/.test(entry.name) ? [path] : [];
  });
}

const folderOf = (file: string) => relative(SRC, dirname(file)) || '.';

/** folder → the other folders its files import (relative imports, `import type` included). */
function folderImports(): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    const from = folderOf(file);
    const out = edges.get(from) ?? new Set<string>();
    edges.set(from, out);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
      const to = folderOf(resolve(dirname(file), (match[1] ?? match[2])!));
      if (to !== from) out.add(to);
    }
  }
  return edges;
}

/** Every folder from which `start` can be reached again by following imports (start included if so). */
function reachableFrom(start: string, edges: Map<string, Set<string>>): Set<string> {
  const seen = new Set<string>();
  const queue = [...(edges.get(start) ?? [])];
  while (queue.length > 0) {
    const next = queue.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...(edges.get(next) ?? []));
  }
  return seen;
}

describe('layers point one way', () => {
  const edges = folderImports();

  test('http/ is a library: it imports only shared/, config/ and storage/ — never a flow, sessions/ or the server assembly', () => {
    assert.deepEqual([...(edges.get('http') ?? [])].sort(), ['config', 'shared', 'storage']);
  });

  test('no folder of src/ imports a folder that imports it back, directly or through others', () => {
    const inCycles = [...edges.keys()].filter((folder) => reachableFrom(folder, edges).has(folder)).sort();
    assert.deepEqual(inCycles, []);
  });

  test('the server assembly is on top: no folder but main.ts\'s and cli/ imports server/', () => {
    const importers = [...edges].filter(([, to]) => to.has('server')).map(([from]) => from).sort();
    assert.deepEqual(importers, ['.', 'cli']);
  });
});
