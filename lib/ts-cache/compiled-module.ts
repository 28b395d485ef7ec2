/**
 * Compile once and cache: the URL of a compiled copy of a user's TypeScript module (and of every
 * TypeScript file it imports), which plain node imports at compiled speed, with no loader hooks.
 * `lib/import-module.ts` uses it in worker hosts, and for resume and replay; `skyloom exec` for a
 * user's program.
 *
 * Why not tsx: registering tsx's loader hooks invalidates V8's array-buffer-detaching protector, and
 * typed-array loops then run ~1.3-1.7x slower in that thread (docs/architecture.md, "Sources and the
 * compiled package").
 *
 * Layout (`cache-location.ts`): `<cache>/<key>/` holds one compiled graph, the source tree mirrored;
 * `key` is a SHA-1 over the compiled files' paths and contents, so a graph's folder never changes once
 * written. `<cache>/entries/<SHA-1 of the layout version and the entry's path>.json` names the entry's latest graph and the
 * SHA-1 of every file it was compiled from (sources, tsconfig.json): a later load that finds them all
 * unchanged imports that graph after reading and hashing them, without loading esbuild. Several processes or worker
 * threads compiling at once each write a graph into a folder of their own and rename it into place:
 * the first rename wins and the others drop theirs (identical); the entry file is replaced by rename.
 *
 * Old graphs go when a later compile finds them a day old and named by no entry record (a run that
 * long may still import a module lazily from the graph it started with); so do the folders of builders
 * that died. The whole folder can be deleted at any time between runs.
 * Not covered: a change in how a bare import resolves (a package installed or removed) without a
 * change in the sources keeps the graph compiled before it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ErrorCode, SkyloomTypeError } from '../errors.ts';
import { cacheLocation, sha1 } from './cache-location.ts';

/** Changes when the compiled output's shape does, so graphs written by an older skyloom are not reused. */
const layoutVersion = '1';

interface EntryRecord {
  readonly key: string;
  /** The entry's compiled file, relative to the graph's folder. */
  readonly mirror: string;
  /** Path → SHA-1 of every file the graph was compiled from (sources, their tsconfig.json). */
  readonly sources: Readonly<Record<string, string>>;
}

/**
 * The `file:` URL of the compiled copy of the TypeScript module `moduleUrl` (a `file:` URL), compiling
 * it first if the cache holds none for its current sources. Undefined when it cannot be compiled here
 * for want of a tool or a place (esbuild is not installed, or the cache folder cannot be written): the
 * caller then loads the source another way. Rejects with `SKY_MODULE_NOT_FOUND` if the module is not a
 * file and `SKY_MODULE_SYNTAX` if a file of its graph does not compile.
 */
export async function compiledModuleUrl(moduleUrl: string): Promise<string | undefined> {
  const entry = fileURLToPath(moduleUrl);
  if (!isFile(entry)) {
    throw new SkyloomTypeError('the module to load', 'a TypeScript file (.ts, .mts, .tsx)', `${entry}, which ${existsSync(entry) ? 'is not a file' : 'does not exist'}`, { code: ErrorCode.ModuleNotFound });
  }
  const { root, cache } = cacheLocation(entry);
  const entryFile = join(cache, 'entries', `${sha1(`${layoutVersion}\0${entry}`)}.json`);
  const fresh = freshGraph(cache, entryFile);
  if (fresh) return pathToFileURL(fresh).href;

  // Only a miss loads the compiler and its helpers.
  let transform: (typeof import('esbuild'))['transform'];
  try {
    ({ transform } = await import('esbuild'));
  } catch {
    return undefined;
  }
  const { transpileGraph } = await import('./transpile-graph.ts');
  const graph = await transpileGraph(entry, root, transform);
  const files = [...graph.files.values()].sort((a, b) => (a.mirror < b.mirror ? -1 : 1));
  const hash = files.reduce((h, f) => `${h}\0${f.mirror}\0${sha1(f.code)}`, layoutVersion);
  const record: EntryRecord = { key: sha1(hash), mirror: graph.files.get(entry)!.mirror, sources: graph.inputs };
  const folder = join(cache, record.key);
  try {
    if (!existsSync(folder)) {
      const own = join(cache, `.building-${process.pid}-${randomBytes(6).toString('hex')}`);
      for (const file of files) writeFileIn(own, file.mirror, file.code);
      moveIntoPlace(own, folder);
    }
    const temporary = `${entryFile}.${process.pid}-${randomBytes(6).toString('hex')}`;
    writeFileIn(dirname(entryFile), temporary.slice(dirname(entryFile).length + 1), JSON.stringify(record));
    renameSync(temporary, entryFile);
    removeOldGraphs(cache);
  } catch (error) {
    if (unwritable(error)) return undefined;
    throw error;
  }
  return pathToFileURL(join(folder, record.mirror)).href;
}

/** The entry's compiled file if its record names a graph whose sources are all unchanged. */
function freshGraph(cache: string, entryFile: string): string | undefined {
  let record: EntryRecord;
  try {
    record = JSON.parse(readFileSync(entryFile, 'utf8')) as EntryRecord;
    for (const [source, hash] of Object.entries(record.sources)) if (sha1(readFileSync(source)) !== hash) return undefined;
  } catch {
    return undefined; // no record, a damaged one, or a source gone: compile
  }
  const compiled = join(cache, record.key, record.mirror);
  return isFile(compiled) ? compiled : undefined;
}

const dayMs = 24 * 3600 * 1000;

/**
 * Removes graphs no entry record names that are older than a day, and builders' folders as old.
 * Never throws: a sweep that fails (another process sweeping too, a folder it may not remove) leaves
 * the rest for the next compile, and the graph just compiled is in place either way.
 */
function removeOldGraphs(cache: string): void {
  try {
    const named = new Set<string>();
    const entries = join(cache, 'entries');
    for (const name of readdirSync(entries)) {
      try {
        named.add((JSON.parse(readFileSync(join(entries, name), 'utf8')) as EntryRecord).key);
      } catch {
        // a record being replaced (its temporary file), or damaged: it names nothing
      }
    }
    for (const name of readdirSync(cache)) {
      if (name === 'entries' || named.has(name)) continue;
      const folder = join(cache, name);
      const modified = statSync(folder, { throwIfNoEntry: false })?.mtimeMs;
      if (modified !== undefined && Date.now() - modified > dayMs) rmSync(folder, { recursive: true, force: true });
    }
  } catch {
    // see above
  }
}

/** Renames a freshly written graph into place; if another builder's rename won, drops this one. Exported for its test. */
export function moveIntoPlace(own: string, folder: string): void {
  try {
    renameSync(own, folder);
  } catch (error) {
    rmSync(own, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (!((code === 'ENOTEMPTY' || code === 'EEXIST') && existsSync(folder))) throw error;
  }
}

function writeFileIn(folder: string, path: string, text: string): void {
  const file = join(folder, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function unwritable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EROFS' || code === 'EPERM';
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
