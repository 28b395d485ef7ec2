import fc from 'fast-check';
import type { Runner } from '../../lib/index.ts';
import { fitToBudget } from './program-arb.ts';
import { withoutMutations, type Program } from './program.ts';
import * as runners from '../../runners/index.ts';
import { inlineRunnerWith } from '../../runners/inline.ts';
import { laptopRunnerWith } from '../../runners/laptop.ts';
import { clusterRunnerWith } from '../../runners/cluster/cluster-runner.ts';
import { mostWorkers, reusedThreads, terminateReusedThreads } from './reused-threads.ts';

/**
 * Runner configurations as plain data, so fast-check can draw, print and shrink them. `scheduled`
 * inline runs have their step completions ordered by `fc.scheduler()`.
 */
export type RunnerConfig =
  | { readonly kind: 'inline'; readonly concurrent: boolean }
  | { readonly kind: 'inline-scheduled' }
  /** `verify: false`: the store reuses handed-over memory (verify mode never does), so that path is tested too. */
  | { readonly kind: 'laptop'; readonly memoryBudget: number; readonly verify?: boolean }
  | { readonly kind: 'cluster'; readonly workers: number; readonly memoryBudget: number | undefined };

type Factory = (options: Record<string, unknown>) => Runner;

/** A runner factory exported by `runners/index.ts`, once its developer has landed it. */
function exported(name: string): Factory | undefined {
  const factory = (runners as Record<string, unknown>)[name];
  return typeof factory === 'function' ? (factory as Factory) : undefined;
}

export const available = {
  laptop: exported('laptopRunner') !== undefined,
  cluster: exported('clusterRunner') !== undefined,
};

/**
 * Budgets from tiny (the laptop runner's minimum, 64 KiB: large arrays spill at once) to effectively
 * unbounded (one run in ten: the path where nothing ever has to leave memory).
 */
const budgetArb = fc.oneof({ weight: 9, arbitrary: fc.constantFrom(64 * 1024, 128 * 1024, 256 * 1024, 1024 * 1024) }, { weight: 1, arbitrary: fc.constant(1024 ** 3) });

/**
 * A cluster family runs few cases (worker threads are slow to drive) and each host has the whole
 * budget for its share of the data: mostly small budgets and budgeted runs, so it does spill.
 */
const clusterBudgetArb = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(64 * 1024, 128 * 1024, 256 * 1024) }, { weight: 1, arbitrary: fc.constantFrom(1024 * 1024, 1024 ** 3) });

export const inlineConfigArb: fc.Arbitrary<RunnerConfig> = fc.oneof(
  fc.record({ kind: fc.constant('inline' as const), concurrent: fc.boolean() }),
  fc.constant({ kind: 'inline-scheduled' as const }),
);

export const laptopConfigArb: fc.Arbitrary<RunnerConfig> = fc.record({ kind: fc.constant('laptop' as const), memoryBudget: budgetArb, verify: fc.boolean() });

export const clusterConfigArb: fc.Arbitrary<RunnerConfig> = fc.record({
  kind: fc.constant('cluster' as const),
  workers: fc.integer({ min: 1, max: mostWorkers }),
  memoryBudget: fc.option(clusterBudgetArb, { nil: undefined, freq: 4 }),
});

/** Every family of runner that exists right now, by name. */
export function configFamilies(): Record<string, fc.Arbitrary<RunnerConfig>> {
  return {
    inline: inlineConfigArb,
    ...(available.laptop ? { laptop: laptopConfigArb } : {}),
    ...(available.cluster ? { cluster: clusterConfigArb } : {}),
  };
}

/**
 * `program` as a configuration is tested with it. A budgeted runner fails a step whose pinned working
 * set exceeds its budget (SKY_MEMORY_BUDGET) where inline succeeds, so for those the large arrays are
 * scaled so that every step fits in the budget while the run's total data still exceeds it.
 */
export function fitProgram(config: RunnerConfig, program: Program): Program {
  const budget = config.kind === 'laptop' || config.kind === 'cluster' ? config.memoryBudget : undefined;
  // With verify off an in-place write into a borrowed array is undefined behaviour: nothing to predict.
  return fitToBudget(config.kind === 'laptop' && config.verify === false ? withoutMutations(program) : program, budget);
}

export function configName(config: RunnerConfig): string {
  switch (config.kind) {
    case 'inline':
      return config.concurrent ? 'inline(concurrent)' : 'inline';
    case 'inline-scheduled':
      return 'inline(concurrent, fc.scheduler)';
    case 'laptop':
      return `laptop(${config.memoryBudget} B${config.verify === false ? ', verify off' : ''})`;
    case 'cluster':
      return `cluster(${config.workers} workers${config.memoryBudget === undefined ? '' : `, ${config.memoryBudget} B`})`;
  }
}

/** What the accounting check reads of a closed store. */
export interface StoreAccounting {
  readonly bytes: number;
  readonly diskBytes: number;
}

let lastLaptopStore: StoreAccounting | undefined;

/** The store the last laptop run closed (once: the next call returns undefined until another run closes one). */
export function takeClosedLaptopStore(): StoreAccounting | undefined {
  const store = lastLaptopStore;
  lastLaptopStore = undefined;
  return store;
}

/** Runners are reused across cases (cluster workers are costly to start); closed by `closeRunners`. */
const cache = new Map<string, Runner>();

/** The runner for `config`; `interleave` is required for scheduled configurations and fresh per case. */
export function makeRunner(config: RunnerConfig, interleave?: <T>(step: Promise<T>) => Promise<T>): Runner {
  if (config.kind === 'inline-scheduled') {
    if (!interleave) throw new Error('inline-scheduled needs an interleave function');
    return inlineRunnerWith({ concurrent: true }, { interleave });
  }
  const key = JSON.stringify(config);
  let runner = cache.get(key);
  if (!runner) cache.set(key, (runner = build(config)));
  return runner;
}

function build(config: Exclude<RunnerConfig, { kind: 'inline-scheduled' }>): Runner {
  switch (config.kind) {
    case 'inline':
      return runners.inlineRunner({ concurrent: config.concurrent });
    case 'laptop':
      // The `beforeClose` test hook hands over the run's store, read after it closed.
      return laptopRunnerWith({ memoryBudget: config.memoryBudget }, { beforeClose: (store: StoreAccounting) => void (lastLaptopStore = store) });
    case 'cluster':
      // `memoryBudget` is each host's share: the runner takes the whole run's budget and splits it.
      // Its worker threads are kept across runs (`reused-threads.ts`); each run opens fresh hosts on them.
      return clusterRunnerWith({ workers: config.workers, ...(config.memoryBudget === undefined ? {} : { memoryBudget: config.memoryBudget * config.workers }) }, { launcher: reusedThreads });
  }
}

/** Closes every cached runner that can be closed (e.g. a cluster's worker threads). */
export async function closeRunners(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  for (const runner of all) {
    const closable = runner as Runner & { close?: () => unknown; destroy?: () => unknown };
    await (closable.close?.() ?? closable.destroy?.());
  }
  const restarts = await terminateReusedThreads();
  if (restarts > 0) console.log(`[property] cluster worker threads restarted after ${restarts} run(s) that left a host running`);
}
