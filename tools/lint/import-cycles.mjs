// Lint step (`npm run lint`): no import cycle between the TypeScript files of
// apps/, libs/, tools/ and sdks/typescript (issue #20). A cycle makes a module
// half-initialised when one of its files loads (Nest providers `undefined`,
// a class used before its definition), and means neither file can be read,
// tested or changed without the other. Nx's module-boundary rule catches
// cycles between projects; this catches them between the files inside one.
//
// The folders of libs/platform (kafka, health, outbox, …) are layers: no
// cycle between them either (health and kafka once imported each other), so
// each can be read and tested from the bottom up. Tests and the package's
// index.ts, which re-exports every folder, are left out of that check.
//
// It reads each file's static imports and re-exports (`import … from`,
// `export … from`, `import '…'`; type-only ones too, since they tie the files
// as tightly for a reader), resolves relative paths and the `@sigil/*`
// aliases, and exits 1 naming each cycle it finds. Run it alone with
// `node tools/lint/import-cycles.mjs [root]` (the root defaults to this
// repository's; the spec beside it gives a tree with cycles in it).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE_DIRS = ['apps', 'libs', 'tools', 'sdks/typescript'];
/** Folders whose top-level subfolders must not import each other in a cycle. */
const LAYERED = ['libs/platform/src'];
const TEST_FILE = /\.(spec|int-spec|e2e-spec|browser-spec)\.tsx?$/;
const SKIP = new Set(['node_modules', 'dist', 'generated', '.infra', 'coverage']);
const ALIASES = {
  '@sigil/contracts': 'libs/contracts/src/index.ts',
  '@sigil/platform': 'libs/platform/src/index.ts',
  '@sigil/testing': 'libs/testing/src/index.ts',
  '@sigil/sdk': 'sdks/typescript/src/index.ts',
};

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const isFile = (path) => existsSync(path) && statSync(path).isFile();

/** The file a specifier names, or undefined for a package (or anything not ours). */
function resolveImport(root, from, specifier) {
  if (ALIASES[specifier]) return join(root, ALIASES[specifier]);
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier).replace(/\.js$/, '');
  for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')]) {
    if (isFile(candidate)) return candidate;
  }
  return undefined;
}

// Comments are dropped first, so an import written in a comment does not count.
const withoutComments = (text) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
const IMPORT = /(?:^|[\n;])\s*(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\sfrom\s*)?['"]([^'"]+)['"]/g;

export function importGraph(root, files) {
  const graph = new Map();
  for (const file of files) {
    const targets = new Set();
    for (const [, specifier] of withoutComments(readFileSync(file, 'utf8')).matchAll(IMPORT)) {
      const target = resolveImport(root, file, specifier);
      if (target && target !== file) targets.add(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** One cycle per strongly connected component of more than one file (Tarjan), as a path that returns to its start. */
export function findCycles(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const visit = (node) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(new Set(component));
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components.map((component) => cyclePath(graph, component));
}

/** A shortest path from the component's first file (by name) back to itself, inside the component. */
function cyclePath(graph, component) {
  const start = [...component].sort()[0];
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length) {
    const node = queue.shift();
    for (const next of graph.get(node) ?? []) {
      if (!component.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at = node; at !== undefined && at !== start; at = previous.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

/** The graph between the top-level folders of `dir`, from its non-test files (files directly in `dir`, such as index.ts, left out). */
export function folderGraph(graph, dir) {
  const folderOf = (file) => {
    const rel = relative(dir, file);
    const parts = rel.split(sep);
    return rel.startsWith('..') || parts.length < 2 ? undefined : parts[0];
  };
  const folders = new Map();
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    if (!from || TEST_FILE.test(file)) continue;
    if (!folders.has(from)) folders.set(from, new Set());
    for (const target of targets) {
      const to = folderOf(target);
      if (to && to !== from) folders.get(from).add(to);
    }
  }
  return folders;
}

/** Every cycle under `root`, each as the list of its files (or folders) relative to the root. */
export function importCycles(root) {
  const files = SOURCE_DIRS.flatMap((dir) => sourceFiles(join(root, dir)));
  const graph = importGraph(root, files);
  const cycles = findCycles(graph).map((cycle) => cycle.map((f) => relative(root, f)));
  for (const layered of LAYERED) {
    const dir = join(root, layered);
    cycles.push(...findCycles(folderGraph(graph, dir)).map((cycle) => cycle.map((folder) => `${layered}/${folder}/`)));
  }
  return { files: files.length, cycles };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '../..'));
  const { files, cycles } = importCycles(root);
  for (const cycle of cycles) console.error(`import cycle: ${cycle.join(' → ')}`);
  if (cycles.length) {
    console.error(`${cycles.length} import cycle(s) among ${files} files: move what both sides need into a file of its own.`);
    process.exit(1);
  }
}
