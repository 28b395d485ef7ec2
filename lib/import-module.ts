/**
 * `import()` of a user's module where tsx is not on: a worker thread (on Node 20 it does not inherit
 * the main thread's loader hooks, `node --import tsx`), the `skyloom` command, which runs compiled
 * (resume and replay load the module a run recorded, which may be a user's `.ts`), and `skyloom exec`.
 *
 * A TypeScript module (`.ts`, `.mts`, `.tsx`) is compiled once into a cache and its compiled copy
 * imported with plain node (`ts-cache/compiled-module.ts`): no loader hooks, so the thread keeps
 * compiled speed (tsx's hooks invalidate V8's array-buffer-detaching protector and slow typed-array
 * loops ~1.3-1.7x). The copy keeps `import.meta.url` meaning the source, so what an algorithm records
 * and resume loads is still the `.ts` URL.
 *
 * tsx is the fallback, registered in this thread once, where the cache cannot serve: a `.cts` module
 * (CommonJS), a module that is not a `file:` URL, esbuild not installed, or a cache folder that cannot
 * be written. If tsx cannot be resolved either, the module is imported as it is and fails with node's
 * own message, which the caller reports (`SKY_ALGORITHM_NOT_FOUND`).
 *
 * When skyloom itself runs from its `.ts` sources, tsx is on in this thread already (this very file
 * could not have loaded otherwise): the module is imported as it is, through tsx, like the sources.
 * Not covered: a missing module or one that does not compile reject here with `SKY_MODULE_NOT_FOUND`
 * or `SKY_MODULE_SYNTAX`; callers wrap them with their own context.
 */
const loadedAsTypeScript = /\.ts$/.test(import.meta.url);
const typeScriptModule = /\.(?:[cm]?ts|tsx)(?:[?#]|$)/;
const compilable = /^file:.*\.(?:m?ts|tsx)$/;

let tsxRegistered: Promise<void> | undefined;

export async function importModule(moduleUrl: string): Promise<Record<string, unknown>> {
  if (!loadedAsTypeScript && typeScriptModule.test(moduleUrl)) {
    if (compilable.test(moduleUrl)) {
      const { compiledModuleUrl } = await import('./ts-cache/compiled-module.ts');
      const compiled = await compiledModuleUrl(moduleUrl);
      if (compiled !== undefined) return (await import(compiled)) as Record<string, unknown>;
    }
    await (tsxRegistered ??= registerTsx());
  }
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
