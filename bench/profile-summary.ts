// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by package or source file, self
// time by function, and inclusive time of Gatehouse's own (src/) functions. Used by profile.ts.
// Frames in the built bundle (dist/*.js) are mapped back to src/ through its source map.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function bucketOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native / V8 builtins)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node: ' + url.slice(5).split('/').slice(0, 2).join('/');
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  return url;
}

const sourceMaps = new Map<string, SourceMap | null>();
function sourceMapFor(url: string): SourceMap | null {
  if (!sourceMaps.has(url)) {
    const file = url.startsWith('file:') ? `${fileURLToPath(url)}.map` : '';
    sourceMaps.set(url, file && existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, 'utf8'))) : null);
  }
  return sourceMaps.get(url)!;
}

/** A bundle frame as the source frame it came from (file URL and line of the original). */
function unbundle(frame: ProfileNode['callFrame']): ProfileNode['callFrame'] {
  const map = frame.url.includes('/dist/') ? sourceMapFor(frame.url) : null;
  const entry: any = map?.findEntry(frame.lineNumber, frame.columnNumber);
  if (!entry?.originalSource) return frame;
  const url = new URL(entry.originalSource, frame.url).href;
  return { ...frame, url, lineNumber: entry.originalLine, columnNumber: entry.originalColumn };
}

export function summarise(file: string, top = 25): string {
  const profile: Profile = JSON.parse(readFileSync(file, 'utf8'));
  for (const node of profile.nodes) node.callFrame = unbundle(node.callFrame);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const idle = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((s, [, t]) => s + t, 0);
  const busy = total - idle;
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const add = (map: Map<string, number>, key: string, t: number) => map.set(key, (map.get(key) ?? 0) + t);
  const buckets = new Map<string, number>();
  const functions = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, t] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    add(buckets, bucketOf(url, functionName), t);
    add(functions, `${functionName || '(anonymous)'} ${bucketOf(url, functionName)}:${lineNumber + 1}`, t);
    // Inclusive time of our own functions: walk up the stack, counting each src/ frame once.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (!frame.url.includes('/src/')) continue;
      const key = `${frame.functionName || '(anonymous)'} ${bucketOf(frame.url, '')}:${frame.lineNumber + 1}`;
      if (!seen.has(key)) {
        seen.add(key);
        add(inclusive, key, t);
      }
    }
  }
  const share = (t: number) => `${((t / busy) * 100).toFixed(1).padStart(5)}%`;
  const list = (map: Map<string, number>, n: number) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([key, t]) => `  ${share(t)}  ${key}`).join('\n');
  return [
    `profile ${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (shares below are of busy time)`,
    `self time by package / file:\n${list(buckets, top)}`,
    `self time by function:\n${list(functions, top)}`,
    `inclusive time of src/ functions:\n${list(inclusive, top)}`,
  ].join('\n\n');
}
