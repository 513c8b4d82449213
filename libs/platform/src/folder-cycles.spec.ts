/**
 * Lint rule, as a test: the folders of `libs/platform/src` (kafka, health,
 * outbox, …) depend on each other without a cycle, so each can be read,
 * tested and changed from the bottom up (issue #20: health and kafka imported
 * each other). It reads every non-test file's relative imports (type-only
 * ones too) and fails naming the cycle. `index.ts`, the package's public
 * face, re-exports every folder and is left out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = __dirname;
const TEST_FILE = /\.(spec|int-spec|e2e-spec)\.ts$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !TEST_FILE.test(e.name) ? [path] : [];
  });
}

/** The top folder under src a path belongs to ('' for files directly in src). */
const folderOf = (path: string) => {
  const rel = relative(ROOT, path);
  return rel.includes(sep) ? rel.split(sep)[0]! : '';
};

export function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(ROOT)) {
    const from = folderOf(file);
    if (!from) continue;
    const text = readFileSync(file, 'utf8');
    for (const [, spec] of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'(\.{1,2}\/[^']+)'/g)) {
      const to = folderOf(resolve(dirname(file), spec!));
      if (to && to !== from) graph.set(from, (graph.get(from) ?? new Set()).add(to));
    }
  }
  return graph;
}

export function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('libs/platform folders', () => {
  it('import each other without a cycle', () => {
    const cycle = findCycle(folderGraph());
    expect(cycle?.join(' → ')).toBeUndefined();
  });

  it('would name a cycle (the check can fail)', () => {
    const graph = new Map([
      ['health', new Set(['kafka'])],
      ['kafka', new Set(['logging', 'health'])],
    ]);
    expect(findCycle(graph)?.join(' → ')).toBe('health → kafka → health');
  });
});
