/**
 * Loads an algorithm inside a worker thread from its address: `import(moduleUrl)` (through
 * `importModule`, so users' `.ts` modules load as well as compiled `.js`, whether skyloom runs from its
 * sources or from dist/), then the export whose algorithm `name` matches. No registration step: being
 * exported is enough.
 *
 * Rejects with `SKY_ALGORITHM_NOT_FOUND` (module fails to load, or no such export); caches modules.
 */
import { isAlgorithm, type Algorithm } from '../../lib/algorithm.ts';
import { ErrorCode, SkyloomError } from '../../lib/errors.ts';
import { importModule } from '../../lib/import-module.ts';

const modules = new Map<string, Promise<Record<string, unknown>>>();

function load(moduleUrl: string): Promise<Record<string, unknown>> {
  let loading = modules.get(moduleUrl);
  if (!loading) modules.set(moduleUrl, (loading = importModule(moduleUrl)));
  return loading;
}

/** Starts loading a module ahead of its first unit; a failure shows when a unit needs it. Never rejects. */
export function preloadModule(moduleUrl: string): Promise<void> {
  return load(moduleUrl).then(
    () => {},
    () => {},
  );
}

export async function loadAlgorithm(moduleUrl: string, name: string, unitPath: string): Promise<Algorithm<unknown, unknown>> {
  const loading = load(moduleUrl);
  let exports: Record<string, unknown>;
  try {
    exports = await loading;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new SkyloomError(ErrorCode.AlgorithmNotFound, `cannot load module ${moduleUrl} in a worker thread: ${reason}`, { unitPath, site: 'start', cause });
  }
  for (const value of Object.values(exports)) if (isAlgorithm(value) && value.name === name) return value;
  const hint = `export it (export const ${name} = algorithm(import.meta.url, async function* ${name}(...))) so worker threads can load it`;
  throw new SkyloomError(ErrorCode.AlgorithmNotFound, `module ${moduleUrl} does not export an algorithm named ${name}: ${hint}`, { unitPath, site: 'start' });
}
