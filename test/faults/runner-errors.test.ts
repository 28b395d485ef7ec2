// Fault matrix, errors across threads (docs/architecture/faults-runners.md): what a member throws or
// tries to hand on arrives as a typed error with its code and unit path, alike on the inline and
// cluster runners; an unusable spill directory is SKY_SPILL_DIR on laptop and cluster alike.
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, run, type Runner } from '../../lib/index.ts';
import { clusterRunner, inlineRunner, laptopRunner } from '../../runners/index.ts';
import { throwingRoot, type Throw } from './fixtures/error-algorithms.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skyloom-fault-errors-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Failure = Error & { code?: string; unitPath?: string; cause?: unknown };

async function memberFailure(runner: Runner, what: Throw, runDir = join(dir, `${runner.name}-${what}`)): Promise<Failure> {
  const error = await run(throwingRoot, what, { runner, runDir }).then(
    () => expect.unreachable('the run should fail') as never,
    (e: unknown) => e as Failure,
  );
  expect(error.code).toBe(ErrorCode.UnitFailed);
  return error.cause as Failure; // the member's SKY_UNIT_FAILED
}

// Member 1 reads member 0's ref first: on the cluster runner, across threads.
const runners: [string, () => Runner][] = [['inline', () => inlineRunner()], ['cluster', () => clusterRunner({ workers: 2 })]];

describe.each(runners)('a member on the %s runner', (_name, make) => {
  it('that throws { code } fails with that code kept, and a message saying what was thrown (not "[object Object]")', async () => {
    const member = await memberFailure(make(), 'object-with-code');
    expect(member).toMatchObject({ code: ErrorCode.UnitFailed, unitPath: 'root/throwingMember:1' });
    expect(member.message).toBe('unit root/throwingMember:1 failed at get#1: X: a thrown {"code":"X","detail":"plain object"}');
    expect(member.cause).toStrictEqual({ code: 'X', detail: 'plain object' });
  });

  it('that throws an object holding a function keeps its code too', async () => {
    const member = await memberFailure(make(), 'object-with-function');
    expect(member.message).toBe('unit root/throwingMember:1 failed at get#1: Y: a thrown {"code":"Y"}');
    expect((member.cause as { code?: string }).code).toBe('Y');
  });

  it('that throws a symbol says so', async () => {
    const member = await memberFailure(make(), 'symbol');
    expect(member.message).toMatch(/^unit root\/throwingMember:1 failed at get#1: (Error: )?a thrown Symbol\(oops\)$/);
  });

  for (const what of ['put-function', 'put-symbol'] as const) {
    it(`that puts a value holding a ${what === 'put-function' ? 'function' : 'symbol'} fails at the put with SKY_NOT_CLONEABLE naming the path, so no other thread ever reads it`, async () => {
      const member = await memberFailure(make(), what);
      expect(member).toMatchObject({ code: ErrorCode.UnitFailed, unitPath: 'root/throwingMember:1' });
      const cause = member.cause as Failure;
      expect(cause.code).toBe(ErrorCode.NotCloneable);
      expect(cause.message).toMatch(what === 'put-function' ? /value\.fit is function fit/ : /value\.tag is symbol tag/);
    });
  }
});

describe('a spill directory under a regular file', () => {
  const spillRunners: [string, () => Runner][] = [
    ['laptop', () => laptopRunner({ memoryBudget: '1MB' })],
    ['cluster', () => clusterRunner({ workers: 2, memoryBudget: '1MB' })],
  ];
  it.each(spillRunners)('fails the %s run at its start with SKY_SPILL_DIR naming the directory', async (name, make) => {
    const file = join(dir, `a-file-${name}`);
    writeFileSync(file, 'not a directory');
    const error = await run(throwingRoot, 'none', { runner: make(), runDir: join(file, 'run') }).then(
      () => expect.unreachable('the run should fail') as never,
      (e: unknown) => e as Failure,
    );
    expect(error.code).toBe(ErrorCode.SpillDir);
    expect(error.message).toMatch(/spill directory .*a-file-\w+\/run\/(cluster-)?spill cannot be created: .*a-file-\w+ exists and is not a directory/);
  });
});
