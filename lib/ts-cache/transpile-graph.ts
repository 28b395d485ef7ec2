/**
 * Compiles a user's TypeScript module and every TypeScript file it imports (`resolve-import.ts`
 * says which), file by file, with esbuild's `transform` (types stripped, nothing bundled), and
 * rewrites each import to where the compiled copy will find its target. Returns the compiled files
 * in memory: `compiled-module.ts` writes them.
 *
 * `import.meta.url`, `import.meta.filename` and `import.meta.dirname` keep meaning the SOURCE file
 * (esbuild's `define`, per file): an algorithm records `import.meta.url` as its module, worker hosts
 * and resume load that URL, and `new URL('./x.ts', import.meta.url)` must still find the source.
 * Each file carries an inline source map, so `node --enable-source-maps` points stack traces at the `.ts`.
 *
 * Each file is compiled with the `compilerOptions` of the nearest `tsconfig.json` above it (found and
 * read, `extends` followed, by get-tsconfig), as tsx does: `verbatimModuleSyntax`,
 * `experimentalDecorators`, `useDefineForClassFields`, `jsx` change what esbuild writes.
 * Not covered: type checking (like tsx: `tsc --noEmit` is the check); a tsconfig's `include`/`files`
 * (the nearest one applies to every file under it); the cache's freshness check hashes the nearest
 * tsconfig.json it found, so it does not see a change in one that file `extends`, nor a tsconfig.json
 * added nearer to a source, until a source changes.
 */
import { readFileSync } from 'node:fs';
import { dirname, posix, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { init, parse } from 'es-module-lexer';
import { getTsconfig } from 'get-tsconfig';
import { ErrorCode, SkyloomTypeError } from '../errors.ts';
import { cacheLocation, mirrorPath, sha1 } from './cache-location.ts';
import { resolveImport } from './resolve-import.ts';

export interface CompiledFile {
  readonly source: string;
  /** Path of the compiled copy inside the graph's folder (`cache-location.ts`, `mirrorPath`). */
  readonly mirror: string;
  /** SHA-1 of the source as compiled, for the cache's freshness check. */
  readonly sourceHash: string;
  readonly code: string;
}

type Transform = (typeof import('esbuild'))['transform'];

/**
 * The node esbuild writes for: this one, exactly (as tsx does), so syntax it has stays as written;
 * `node20` alone would strip the `with { type: 'json' }` of an import, which node 20.0 lacked.
 */
const target = `node${process.versions.node}`;

export interface CompiledGraph {
  /** Every file of the graph, keyed by source path. */
  readonly files: ReadonlyMap<string, CompiledFile>;
  /** SHA-1 of every file the graph was compiled from (sources and their tsconfig.json), by path. */
  readonly inputs: Readonly<Record<string, string>>;
}

interface Tsconfig {
  readonly path: string | undefined;
  readonly compilerOptions: Record<string, unknown>;
}

/** The graph from `entry`; rejects with `SKY_MODULE_SYNTAX` if one of its files does not compile. */
export async function transpileGraph(entry: string, root: string, transform: Transform): Promise<CompiledGraph> {
  await init;
  const graph = new Map<string, CompiledFile>();
  const tsconfigs = new Map<string, Tsconfig>();
  const tsconfigOf = (source: string): Tsconfig => {
    const dir = dirname(source);
    let found = tsconfigs.get(dir);
    if (!found) {
      const result = getTsconfig(dir);
      tsconfigs.set(dir, (found = { path: result?.path, compilerOptions: (result?.config.compilerOptions ?? {}) as Record<string, unknown> }));
    }
    return found;
  };
  const queued = new Set([entry]);
  for (let batch = [entry]; batch.length > 0; ) {
    const files = await Promise.all(batch.map((source) => transpileFile(source, root, tsconfigOf(source), transform)));
    batch = [];
    for (const { file, imports } of files) {
      graph.set(file.source, file);
      for (const dependency of imports) {
        if (queued.has(dependency)) continue;
        queued.add(dependency);
        batch.push(dependency);
      }
    }
  }
  const inputs: Record<string, string> = {};
  for (const file of graph.values()) inputs[file.source] = file.sourceHash;
  for (const { path } of tsconfigs.values()) if (path) inputs[path] = sha1(readFileSync(path));
  return { files: graph, inputs };
}

async function transpileFile(source: string, root: string, tsconfig: Tsconfig, transform: Transform): Promise<{ file: CompiledFile; imports: string[] }> {
  const bytes = readFileSync(source);
  const sourceText = bytes.toString('utf8');
  const url = pathToFileURL(source).href;
  let code: string;
  try {
    ({ code } = await transform(sourceText, {
      loader: source.endsWith('.tsx') ? 'tsx' : 'ts',
      format: 'esm',
      target,
      sourcefile: source,
      sourcemap: 'inline',
      // Function and class names as written (esbuild would rename `function* f` inside `const f = …`):
      // an algorithm's name is its function's name, which worker hosts look it up by. tsx does the same.
      keepNames: true,
      tsconfigRaw: { compilerOptions: tsconfig.compilerOptions },
      define: { 'import.meta.url': JSON.stringify(url), 'import.meta.filename': JSON.stringify(source), 'import.meta.dirname': JSON.stringify(dirname(source)) },
    }));
  } catch (error) {
    throw syntaxError(source, error);
  }
  const mirror = mirrorPath(root, source);
  const otherProject = cacheLocation(source).root !== root; // its packages are not found from the cache
  const imports: string[] = [];
  const [found] = parse(code, source);
  let out = '';
  let copied = 0;
  for (const { n: specifier, s: start, e: end, d: dynamic } of found) {
    if (specifier === undefined || dynamic === -2) continue; // import(expression), import.meta
    const target = resolveImport(specifier, source, otherProject);
    if (target.kind === 'keep') continue;
    let rewritten: string;
    if (target.kind === 'typescript') {
      imports.push(target.file);
      rewritten = relativeUrl(mirror, mirrorPath(root, target.file));
    } else rewritten = target.url;
    // A static import's span is the specifier inside its quotes; a dynamic one's includes them.
    out += code.slice(copied, start) + (dynamic >= 0 ? JSON.stringify(rewritten) : rewritten.replace(/["'\\]/g, (c) => encodeURIComponent(c)));
    copied = end;
  }
  out += code.slice(copied);
  return { file: { source, mirror, sourceHash: sha1(bytes), code: out }, imports };
}

/** A relative URL from the compiled file `from` to the compiled file `to` (both graph-relative paths). */
function relativeUrl(from: string, to: string): string {
  const path = posix.relative(posix.dirname(from.split(sep).join('/')), to.split(sep).join('/'));
  const url = path.split('/').map((part) => (part === '..' ? part : encodeURIComponent(part))).join('/');
  return url.startsWith('../') ? url : `./${url}`;
}

interface EsbuildMessage {
  readonly text: string;
  readonly location: { readonly file: string; readonly line: number; readonly column: number; readonly lineText: string } | null;
}

function syntaxError(source: string, error: unknown): SkyloomTypeError {
  const first = (error as { errors?: EsbuildMessage[] }).errors?.[0];
  const where = first?.location ? `${source}:${first.location.line}:${first.location.column + 1}` : source;
  const got = first ? `${first.text} at ${where}${first.location ? ` (${first.location.lineText.trim()})` : ''}` : String(error);
  return new SkyloomTypeError(`the TypeScript module ${source}`, 'a module that compiles (TypeScript syntax)', got, { code: ErrorCode.ModuleSyntax });
}
