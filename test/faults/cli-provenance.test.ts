/**
 * Fault matrix, provenance: the algorithm digest covers every project module the algorithm imports,
 * transitively, so a resume after editing a helper module is refused (SKY_ALGORITHM_CHANGED naming the
 * file) unless forced, instead of mixing old and new results.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ErrorCode, resume, run, type Algorithm } from '../../lib/index.ts';
import { changedModules, moduleDigests } from '../../lib/ledger/module-digests.ts';
import { inlineRunner } from '../../runners/index.ts';
import { scratchDir } from './cli-helpers.ts';

const base = scratchDir('faults-provenance');
const project = join(base, 'project');
const lib = pathToFileURL(join(process.cwd(), 'lib', 'index.ts')).href;

function writeProject(scale: number): void {
  mkdirSync(join(project, 'stages'), { recursive: true });
  writeFileSync(join(project, 'package.json'), '{ "type": "module" }');
  writeFileSync(join(project, 'stages', 'scale.ts'), `export const scale = (x: number): number => x * ${scale};\n`);
  writeFileSync(join(project, 'stages', 'index.ts'), `export { scale } from './scale.ts';\n`);
  writeFileSync(
    join(project, 'pipeline.ts'),
    `import { algorithm, scatter } from ${JSON.stringify(lib)};
import { scale } from './stages/index.ts';
import { basename } from 'node:path';
export const part = algorithm(import.meta.url, async function* part(ctx, x: number) {
  if (process.env.SKYLOOM_TEST_FAIL === ctx.path) throw new Error('injected');
  return scale(x) + basename('').length;
});
export const pipeline = algorithm(import.meta.url, async function* pipeline(_ctx, n: number) {
  return yield* scatter(part, Array.from({ length: n }, (_, i) => i));
});
`,
  );
}

describe('provenance of an algorithm’s code', () => {
  it('digests the root module and every project module it imports, transitively, not packages or builtins', () => {
    writeProject(2);
    const modules = moduleDigests(join(project, 'pipeline.ts'));
    expect(Object.keys(modules)).toEqual(['pipeline.ts', 'stages/index.ts', 'stages/scale.ts']);
    writeProject(3);
    expect(changedModules(modules, moduleDigests(join(project, 'pipeline.ts')))).toEqual(['stages/scale.ts (changed)']);
  });

  it('resume refuses a pipeline whose imported module changed, naming it; --force resumes', async () => {
    writeProject(2);
    const { pipeline } = (await import(pathToFileURL(join(project, 'pipeline.ts')).href)) as { pipeline: Algorithm<number, number[]> };
    const runDir = join(base, 'run');
    const runner = inlineRunner();
    process.env.SKYLOOM_TEST_FAIL = 'root/part:2';
    await expect(run(pipeline, 4, { runner, runDir, ledger: true })).rejects.toMatchObject({ code: ErrorCode.UnitFailed });
    delete process.env.SKYLOOM_TEST_FAIL;
    writeProject(5);
    await expect(resume(runDir, { runner })).rejects.toMatchObject({
      code: ErrorCode.AlgorithmChanged,
      message: expect.stringMatching(/changed since .*: stages\/scale\.ts \(changed\); resume with force/),
    });
    const forced = await resume(runDir, { runner, force: true });
    await expect(forced.result).resolves.toMatchObject({ output: expect.any(Array) });
  });
});
