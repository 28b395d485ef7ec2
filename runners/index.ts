// The runners of skyloom, exported by name (`skyloom/runners`).
export { inlineRunner } from './inline.ts';
export type { InlineRunnerOptions } from './inline.ts';
export { laptopRunner, minimumMemoryBudget } from './laptop.ts';
export type { LaptopRunnerOptions } from './laptop.ts';
export { clusterRunner } from './cluster/cluster-runner.ts';
export type { ClusterRunnerOptions } from './cluster/options.ts';
export { replayUnit } from './replay-unit.ts';
export type { ReplayOptions, ReplayResult } from './replay.ts';
export { slurmRunner } from './slurm/slurm-runner.ts';
export type { SlurmRunnerOptions } from './slurm/options.ts';
