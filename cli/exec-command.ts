/**
 * `skyloom exec <program> [args...]`: runs a user's own program, typically a `.ts` file that calls
 * `run()`, compiled. The program and every TypeScript file it imports are compiled once into a cache
 * (`lib/ts-cache/`, the same cache the worker hosts use for a `.ts` algorithm) and imported with plain
 * node: no tsx loader hooks, so the program's main thread (where the inline and laptop runners run
 * units) keeps compiled speed. A `.js`/`.mjs` program is imported as it is.
 *
 * The program sees `process.argv` as under `node <program> [args...]`; the command's exit code is
 * the program's `process.exitCode` (0 if it sets none) once its top-level code has finished.
 * Not covered: type checking (`tsc --noEmit` is the check), and node flags (give them to node:
 * `node --max-old-space-size=8192 $(npm root)/skyloom/cli/bin.mjs exec main.ts`).
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCode, SkyloomTypeError } from '../lib/errors.ts';
import { importModule } from '../lib/import-module.ts';

export async function execCommand(program: string, args: readonly string[]): Promise<number> {
  const path = resolve(program);
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats?.isFile()) {
    throw new SkyloomTypeError('skyloom exec <program>', 'a program file (.ts, .mts, .tsx, .js or .mjs)', `${path}, which ${stats ? 'is not a file' : 'does not exist'}`, { code: ErrorCode.ModuleNotFound });
  }
  process.argv = [process.argv[0]!, path, ...args];
  await importModule(pathToFileURL(path).href);
  const code = Number(process.exitCode ?? 0);
  return Number.isInteger(code) ? code : 1;
}
