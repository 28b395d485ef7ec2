import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { focalPlane } from '../../../bench/workload/focal-plane.ts';
import { ErrorCode, readRunStatus, run } from '../../../lib/index.ts';
import { readRunStatus as readRunStatusNow } from '../../../lib/ledger/run-status.ts';
import { inlineRunner } from '../../../runners/index.ts';
import { useTempDir } from '../../fixtures/temp-dir.ts';

const tempDir = useTempDir('keep-ledger');

describe("skyloom's readRunStatus (the ledger's modules loaded on call)", () => {
  it('resolves with the status run-status.ts reads', async () => {
    const runDir = join(tempDir(), 'run');
    await run(focalPlane, { sensors: 3, width: 32, height: 32, rounds: 2, cpuPasses: 1 }, { runner: inlineRunner(), runDir, ledger: true });
    const status = await readRunStatus(runDir);
    expect(status).toEqual(readRunStatusNow(runDir));
    expect(status.byStatus).toEqual({ finished: 4 });
  });

  it('rejects with SKY_NOT_A_RUN for a directory without a ledger', async () => {
    await expect(readRunStatus(tempDir())).rejects.toMatchObject({ code: ErrorCode.NotARun });
  });
});
