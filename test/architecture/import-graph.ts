/**
 * The folder graph of the package's sources, read from their imports, and
 * the layering rules of docs/architecture.md checked on it.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** One import: the importing file and the imported file, relative to the sources' root, with '/' separators. */
export interface ImportEdge {
  from: string;
  to: string;
}

/** The kernel: files at the root of src/ that every layer may import (index.ts, the public API, is not one). */
export const KERNEL_FILES = ['errors.ts', 'types.ts', 'protocol.ts', 'validation.ts', 'encoding.ts'];
/** The storage core: streams, `$all`, snapshots, the sequencer and their SQL, over the store's entities. */
export const CORE_FOLDERS = ['repositories', 'entities'];

/** Every relative import between the `.ts` files under `root`, resolved to files (outside `root` too). */
export function readImports(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of tsFiles(root)) {
    const text = readFileSync(file, 'utf8');
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = resolveModule(resolve(dirname(file), fileName));
      if (target) edges.push({ from: posix(relative(root, file)), to: posix(relative(root, target)) });
    }
  }
  return edges;
}

/**
 * Folder cycles: among the top-level folders (a folder stands for all that
 * it holds; kernel files are left out, they import no folder), and, inside
 * each folder, among its subfolders. Each cycle is listed once, as the
 * folders on it.
 */
export function folderCycles(edges: readonly ImportEdge[]): string[][] {
  const graphs = new Map<string, Map<string, Set<string>>>();
  const add = (scope: string, a: string, b: string) => {
    if (a === b) return;
    const graph = graphs.get(scope) ?? graphs.set(scope, new Map()).get(scope)!;
    (graph.get(a) ?? graph.set(a, new Set()).get(a)!).add(b);
  };
  for (const { from, to } of edges) {
    const a = from.split('/');
    const b = to.split('/');
    if (b[0] === '..') continue;
    if (a.length > 1 && b.length > 1) add('', a[0], b[0]);
    // Siblings: the first folders below the deepest folder both files share.
    let shared = 0;
    while (shared < a.length - 1 && shared < b.length - 1 && a[shared] === b[shared]) shared++;
    if (shared > 0 && a.length - 1 > shared && b.length - 1 > shared) {
      const scope = a.slice(0, shared).join('/');
      add(scope, `${scope}/${a[shared]}`, `${scope}/${b[shared]}`);
    }
  }
  return [...graphs.values()].flatMap(stronglyConnected).filter((component) => component.length > 1);
}

/** Imports that break the layering: the kernel importing a folder, the core importing outside the kernel and core, the migrations importing more than the kernel. */
export function layerViolations(edges: readonly ImportEdge[]): ImportEdge[] {
  const inKernel = (path: string) => KERNEL_FILES.includes(path);
  const inCore = (path: string) => CORE_FOLDERS.includes(path.split('/')[0]) && path.includes('/');
  return edges.filter(({ from, to }) => {
    if (from.startsWith('../')) return !to.startsWith('../') && !inKernel(to);
    if (inKernel(from)) return !inKernel(to) && !to.startsWith('../node_modules/');
    if (inCore(from)) return !inKernel(to) && !inCore(to);
    return false;
  });
}

function tsFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function resolveModule(base: string): string | undefined {
  return [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

function posix(path: string): string {
  return path.split(sep).join('/');
}

/** Tarjan's strongly connected components of one graph. */
function stronglyConnected(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components;
}
