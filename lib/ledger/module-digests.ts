/**
 * The provenance of an algorithm's code: the SHA-1 of its module file and of every project module it
 * imports, transitively (static imports, re-exports and `import('literal')`), found with
 * es-module-lexer (a lexer of ES module syntax that reads TypeScript's imports too). A change in any
 * of them changes the run's algorithm digest, so a resume notices an edited helper module, not only
 * an edited root module, and can say which files changed.
 *
 * "Project" modules are relative imports that resolve to a file inside the directory of the nearest
 * package.json above the algorithm's module, outside node_modules. Does not cover bare imports
 * (packages, `node:` builtins, `skyloom` itself: the ledger records skyloom's version separately),
 * imports built from expressions, files read at run time, or data the algorithm loads.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { initSync, parse } from 'es-module-lexer';

/** Project-relative path → SHA-1 of the file's text, for `rootFile` and every project module it imports. */
export function moduleDigests(rootFile: string): Record<string, string> {
  initSync();
  const root = projectRoot(dirname(rootFile));
  const digests: Record<string, string> = {};
  const pending = [resolve(rootFile)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    const key = relative(root, file).split(sep).join('/');
    if (key in digests) continue;
    const source = readFileSync(file, 'utf8');
    digests[key] = createHash('sha1').update(source).digest('hex');
    for (const specifier of importsOf(source, file)) {
      const target = resolveRelative(dirname(file), specifier);
      if (target !== undefined && inProject(root, target)) pending.push(target);
    }
  }
  return Object.fromEntries(Object.entries(digests).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** One digest over every module's digest (their paths included). */
export function combinedDigest(modules: Readonly<Record<string, string>>): string {
  return createHash('sha1').update(JSON.stringify(Object.entries(modules))).digest('hex');
}

/** Files whose digest differs between two records: changed, added, removed (each `path (what)`). */
export function changedModules(recorded: Readonly<Record<string, string>>, now: Readonly<Record<string, string>>): string[] {
  const changes: string[] = [];
  for (const [path, digest] of Object.entries(now)) {
    if (!(path in recorded)) changes.push(`${path} (new import)`);
    else if (recorded[path] !== digest) changes.push(`${path} (changed)`);
  }
  for (const path of Object.keys(recorded)) if (!(path in now)) changes.push(`${path} (no longer imported, or gone)`);
  return changes;
}

function importsOf(source: string, file: string): string[] {
  try {
    const [imports] = parse(source, file);
    return imports.map((i) => i.n).filter((n): n is string => typeof n === 'string' && (n.startsWith('./') || n.startsWith('../')));
  } catch {
    return []; // not module syntax the lexer reads: the file's own digest still covers it
  }
}

/** `./x.ts`, `./x.js` written for `./x.ts`, `./x` → an existing file, or undefined. */
function resolveRelative(fromDir: string, specifier: string): string | undefined {
  const base = resolve(fromDir, specifier.split('?')[0] as string);
  const candidates = [base, ...(extname(base) === '.js' ? [base.slice(0, -3) + '.ts'] : []), `${base}.ts`, `${base}.js`, `${base}.mts`, `${base}.mjs`, join(base, 'index.ts'), join(base, 'index.js')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

function projectRoot(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) return dir;
  }
}

function inProject(root: string, file: string): boolean {
  const rel = relative(root, file);
  return !rel.startsWith('..') && !rel.split(sep).includes('node_modules');
}
