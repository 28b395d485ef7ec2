import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './test/slow-first-sequencer.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Verify mode (checksums of borrowed typed arrays) is on by default in tests; finalizers are off
    // (verify mode's leak detector is their only user): nothing else may depend on them.
    env: { SKYLOOM_VERIFY: '1', SKYLOOM_FINALIZERS: '0' },
    // Generous: the suite must pass on a loaded 2-core machine (10x the expected time of the slowest tests).
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Two test files at a time even on a 2-core machine (vitest's default there is one): many files
    // wait on child processes, worker threads, Slurm or a browser, so a second file fills the idle
    // core (measured under CI's load of 2 plus other work: every test still passes).
    maxWorkers: 2,
    sequence: { sequencer: SlowFirstSequencer },
    // Verify mode's retention check and a few tests collect garbage; skyloom never turns the flag on itself.
    execArgv: ['--expose-gc'],
    // CI sets SKYLOOM_TEST_REPORT to a path and reads the counts from this JSON report.
    ...(process.env.SKYLOOM_TEST_REPORT
      ? { reporters: ['default', 'json'], outputFile: { json: process.env.SKYLOOM_TEST_REPORT } }
      : {}),
  },
});
