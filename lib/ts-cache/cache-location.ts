/**
 * Where the compiled copies of a user's TypeScript modules go (`compiled-module.ts`), and where each
 * source file lands inside one compiled graph.
 *
 * The cache sits in the nearest `node_modules` above the module, in `node_modules/.cache/skyloom/ts`
 * (where build tools keep their caches): a compiled file there resolves a bare import (`skyloom`, any
 * package) through the same chain of `node_modules` folders as the source file it came from, so
 * plain node finds the same packages. With no `node_modules` above the module (a lone script, which
 * can import only node's own modules by name anyway) the cache is a folder in the OS's temp directory.
 *
 * A graph's files that belong to another project (another `node_modules` chain, or outside the root:
 * mirrored under `_outside/` by their absolute path) have their packages pinned to absolute URLs
 * instead (`resolve-import.ts`). Not covered: a project whose `node_modules` cannot be written (the
 * caller falls back to tsx).
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { basename, dirname, isAbsolute, join, parse, relative, sep } from 'node:path';

export interface CacheLocation {
  /** The project folder whose tree the compiled files mirror (the one holding `node_modules`). */
  readonly root: string;
  /** The cache folder. */
  readonly cache: string;
}

export function cacheLocation(file: string): CacheLocation {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (basename(dir) !== 'node_modules' && isDirectory(join(dir, 'node_modules'))) return { root: dir, cache: join(dir, 'node_modules', '.cache', 'skyloom', 'ts') };
    if (dirname(dir) === dir) break;
  }
  return { root: parse(file).root, cache: join(tmpdir(), `skyloom-ts-${userName()}`) };
}

/**
 * The path, relative to one compiled graph's folder, of `file`'s compiled copy: the same path as
 * `file` relative to `root`, with `.mjs` appended (`src/algo.ts` → `src/algo.ts.mjs`: always an ES
 * module whatever the package's `type`, and `a.ts` and `a.mts` stay apart). A `node_modules` folder
 * on the way is renamed `node_modules_`, so that node never mistakes a mirrored folder for an
 * installed package when it resolves a bare import from inside the cache.
 */
export function mirrorPath(root: string, file: string): string {
  const inside = relative(root, file);
  const path = inside.startsWith('..') || isAbsolute(inside) ? join('_outside', file.slice(parse(file).root.length)) : inside;
  return `${path
    .split(sep)
    .map((part) => (part === 'node_modules' ? 'node_modules_' : part))
    .join(sep)}.mjs`;
}

/** The hash the cache keys files and graphs by (not a security boundary: a name for content). */
export const sha1 = (content: string | Buffer): string => createHash('sha1').update(content).digest('hex');

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function userName(): string {
  try {
    return String(userInfo().uid);
  } catch {
    return 'user';
  }
}
