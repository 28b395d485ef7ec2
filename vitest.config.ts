import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Verify mode (checksums of borrowed typed arrays) is on by default in tests.
    env: { SKYLOOM_VERIFY: '1' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // CI sets SKYLOOM_TEST_REPORT to a path and reads the counts from this JSON report.
    ...(process.env.SKYLOOM_TEST_REPORT
      ? { reporters: ['default', 'json'], outputFile: { json: process.env.SKYLOOM_TEST_REPORT } }
      : {}),
  },
});
