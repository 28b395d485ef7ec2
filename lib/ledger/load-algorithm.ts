import { isAlgorithm, type Algorithm } from '../algorithm.ts';
import { ErrorCode, SkyloomError } from '../errors.ts';
import { importModule } from '../import-module.ts';

/** Imports `module` and finds the algorithm named `name` among its exports; `SKY_ALGORITHM_CHANGED` if it cannot. */
export async function loadAlgorithm(module: string, name: string): Promise<Algorithm<unknown, unknown>> {
  let exports: Record<string, unknown>;
  try {
    exports = await importModule(module); // a user's .ts loads through the compile cache (the command runs compiled)
  } catch (cause) {
    throw new SkyloomError(ErrorCode.AlgorithmChanged, `cannot load the module of algorithm ${name} (${module})`, { cause });
  }
  const found = Object.values(exports).find((v) => isAlgorithm(v) && v.name === name);
  if (!found) throw new SkyloomError(ErrorCode.AlgorithmChanged, `module ${module} no longer exports an algorithm named ${name}`);
  return found as Algorithm<unknown, unknown>;
}
