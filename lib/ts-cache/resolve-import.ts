/**
 * What one import of a user's TypeScript module points at, decided from the SOURCE file's location
 * (the compiled copy lives elsewhere, `cache-location.ts`), so the compiled file imports what the
 * source would have under tsx:
 *
 * - another TypeScript file (`.ts`, `.mts`, `.tsx`): compiled too, into the same graph. A relative
 *   specifier finds it as tsx does: as written, or `./x.js` for `./x.ts` (TypeScript's own spelling),
 *   or with no extension (`./x` → `./x.ts`, `./x/index.ts`); a bare specifier (a workspace package, or
 *   the package importing itself by name) through node's resolution, `import-meta-resolve`;
 * - any other file of the project (JSON, `.js`, a package importing itself by name, `#imports`): its
 *   absolute `file:` URL, so it loads from where it is;
 * - node's own modules, and installed packages: left as written (the cache's `node_modules` chain is
 *   the source's, see `cache-location.ts`), except from a file of another project (below).
 *
 * Not covered: `import(expression)` and `import.meta.resolve(...)` are run-time: they resolve from the
 * compiled copy's location (a relative one then misses; write it as `new URL('./x.ts', import.meta.url)`,
 * which keeps meaning the source). `.cts` files are not compiled here (CommonJS: tsx loads them).
 */
import { statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve as resolveLikeNode } from 'import-meta-resolve';

export const typeScriptFile = /\.(?:ts|mts|tsx)$/;

export type ResolvedImport =
  | { readonly kind: 'typescript'; readonly file: string }
  | { readonly kind: 'file'; readonly url: string }
  | { readonly kind: 'keep' };

const keep: ResolvedImport = { kind: 'keep' };

/**
 * `pinPackages`: the source's own `node_modules` chain is not the cache's (it belongs to another
 * project than the graph's entry, `cache-location.ts`), so installed packages are pinned to where
 * node finds them from the source, too.
 */
export function resolveImport(specifier: string, fromFile: string, pinPackages: boolean): ResolvedImport {
  const from = pathToFileURL(fromFile);
  if (/^(?:\.{1,2}\/|\/|file:)/.test(specifier)) {
    const url = new URL(specifier, from);
    const suffix = url.search + url.hash;
    url.search = url.hash = '';
    const found = findFile(fileURLToPath(url));
    if (found.kind === 'file' && suffix) return { kind: 'file', url: found.url + suffix };
    return found;
  }
  if (isBuiltin(specifier) || /^[a-z][a-z0-9+.-]*:/i.test(specifier)) return keep; // node:fs, data:, https:
  let resolved: string;
  try {
    resolved = resolveLikeNode(specifier, from.href);
  } catch {
    return keep; // node will report it, from the compiled file, with its own message
  }
  if (!resolved.startsWith('file:')) return keep;
  const file = fileURLToPath(resolved);
  if (typeScriptFile.test(file)) return { kind: 'typescript', file };
  // Installed packages resolve the same from the cache; the project's own files (a self-reference,
  // `#imports`, a linked workspace package) are pinned to where they are.
  return !pinPackages && /[\\/]node_modules[\\/]/.test(file) ? keep : { kind: 'file', url: resolved };
}

function findFile(path: string): ResolvedImport {
  if (isFile(path)) return typeScriptFile.test(path) ? { kind: 'typescript', file: path } : { kind: 'file', url: pathToFileURL(path).href };
  for (const candidate of typeScriptCandidates(path)) if (isFile(candidate)) return { kind: 'typescript', file: candidate };
  return { kind: 'file', url: pathToFileURL(path).href }; // missing: node says so, naming the source's path
}

function typeScriptCandidates(path: string): string[] {
  const js = /\.(js|mjs|jsx)$/.exec(path);
  if (js) {
    const stem = path.slice(0, -js[0].length);
    return js[1] === 'mjs' ? [`${stem}.mts`] : [`${stem}.ts`, `${stem}.tsx`];
  }
  return [`${path}.ts`, `${path}.tsx`, `${path}.mts`, `${path}/index.ts`];
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
