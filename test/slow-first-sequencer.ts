import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The suite's longest test files, longest first (CI, 2026-12-06: 50-70 s each under its load of 2).
 * vitest orders files by their last duration when its cache has one and by size otherwise; CI starts
 * from a fresh clone, with no cache, so a long file of few lines (accuracy.test.ts) started last and
 * the suite waited for it. Starting these first lets the two workers end together.
 */
const longestFirst = [
  'test/algorithms/budget.test.ts',
  'test/cli/defective-sensors.test.ts',
  'test/runners/shared/gather-cutoff.test.ts',
  'test/runners/cluster/cluster-runner.test.ts',
  'test/algorithms/accuracy.test.ts',
  'test/algorithms/equivalence.test.ts',
  'test/property/resume.test.ts',
  'test/cli/resume-after-kill.test.ts',
  'test/runners/slurm/slurm-runner.test.ts',
  'test/faults/runner-step-timeout.test.ts',
];

/** vitest's own order, with the files above moved to the front in the order given. */
export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification): number => {
      const at = longestFirst.findIndex((path) => file.moduleId.endsWith(path));
      return at < 0 ? longestFirst.length : at;
    };
    return sorted.map((file, index) => ({ file, index })).sort((a, b) => rank(a.file) - rank(b.file) || a.index - b.index).map(({ file }) => file);
  }
}
