/**
 * `import()` of a user's module where tsx may not be on: a worker thread, which on Node 20 does not
 * inherit the main thread's loader hooks (`node --import tsx`), or the `skyloom` command, which runs
 * compiled (resume and replay load the module a run recorded, which may be a user's `.ts`). A
 * TypeScript module (`.ts`, `.mts`, `.cts`, `.tsx`) first turns tsx on in this thread, once.
 *
 * Lazily, not at thread start: tsx's `register()` starts a loader-hooks thread and routes every later
 * import through it, so skyloom running compiled (dist/) with compiled algorithms pays nothing for it.
 * When skyloom itself runs from its `.ts` sources the worker entry has turned tsx on already (this very
 * file could not have loaded otherwise), so nothing more is needed.
 *
 * If tsx cannot be resolved the module is imported anyway: a Node that strips types itself loads it,
 * any other fails with its own message, which the caller reports (`SKY_ALGORITHM_NOT_FOUND`).
 */
const loadedAsTypeScript = /\.ts$/.test(import.meta.url);
const typeScriptModule = /\.(?:[cm]?ts|tsx)(?:[?#]|$)/;

let tsxRegistered: Promise<void> | undefined;

export async function importModule(moduleUrl: string): Promise<Record<string, unknown>> {
  if (!loadedAsTypeScript && typeScriptModule.test(moduleUrl)) await (tsxRegistered ??= registerTsx());
  return (await import(moduleUrl)) as Record<string, unknown>;
}

async function registerTsx(): Promise<void> {
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    // tsx is not installed: see above
  }
}
