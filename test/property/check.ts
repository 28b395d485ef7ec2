import type fc from 'fast-check';
import type { Runner } from '../../lib/index.ts';
import { accountingDifference } from './accounting-check.ts';
import { predictionDifference } from './compare.ts';
import { observe, type Observation } from './observe.ts';
import { predict } from './oracle/oracle.ts';
import type { Program } from './program.ts';
import { fitProgram, makeRunner, takeClosedLaptopStore, type RunnerConfig } from './runner-configs.ts';

/** Runs `program` on `config`, driving fast-check's scheduler when the configuration uses it. */
export function observeOn(config: RunnerConfig, program: Program, scheduler: fc.Scheduler): Promise<Observation> {
  if (config.kind !== 'inline-scheduled') return observe(makeRunner(config), program, { verify: config.kind !== 'laptop' || config.verify !== false });
  // Schedule each step's *completion*, not the step: a step's promise depends on nested groups whose
  // own steps are scheduled, and fast-check's waitOne would wait on it while holding back those.
  // The scheduled task carries no value so the scheduler's report stays small.
  const runner = makeRunner(config, (step) => step.then((arrival) => scheduler.schedule(Promise.resolve()).then(() => arrival)));
  return observe(runner, program, { drive: (result) => scheduler.waitFor(result) });
}

/**
 * What differs between the oracle's prediction and `config`'s run of `program`, if anything, and
 * whether the runner's store accounting holds (`accounting-check.ts`). The program is first fitted to
 * the configuration (see `fitProgram`); the oracle predicts that program.
 */
export async function differenceFromOracle(config: RunnerConfig, drawn: Program, scheduler: fc.Scheduler): Promise<{ difference: string | undefined; other: Observation }> {
  const program = fitProgram(config, drawn);
  takeClosedLaptopStore(); // forget any store an earlier run left
  const other = await observeOn(config, program, scheduler);
  const difference = predictionDifference(predict(program), other) ?? accountingDifference(config, other, takeClosedLaptopStore());
  return { difference, other };
}

/** The same, against a runner built outside the configuration list (the broken runners of the teeth test). */
export async function differenceOfRunner(runner: Runner, program: Program): Promise<string | undefined> {
  return predictionDifference(predict(program), await observe(runner, program));
}
