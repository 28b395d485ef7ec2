/**
 * What the stragglers workload allows, from its exact seeded costs (no measurement): the barrier
 * baseline's wall in a model with no overheads, and the least wall any scheduler could reach on the
 * same cores. A ratio target below `lowerBound / barrierWall` cannot be met by any scheduler on this
 * workload, however good.
 *
 * Model: a sensor round costs `unitMs × cost` and a central step `centralMs`, all on `workers` cores.
 * The barrier runs one visit at a time; in each round every worker runs its round-robin share, then
 * all wait for the slowest share, then the central runs (on one core, the others idle). Any scheduler
 * needs at least max(total work / workers, the longest visit's chain of rounds: each round waits for
 * its slowest sensor, then its central). It ignores messages, thread start-up and the coordinator's
 * own CPU (on a machine with as many cores as workers that CPU competes with the workers: the bound is
 * then optimistic for the scheduler).
 */
import { sensorCost, type StragglerParams } from './workload.ts';

export interface StragglerBound {
  /** Sum of all sensor rounds and central steps, ms. */
  readonly workMs: number;
  /** The barrier baseline's wall in the model, ms. */
  readonly barrierMs: number;
  /** The least wall any scheduler could reach, ms. */
  readonly lowerBoundMs: number;
}

export function stragglerBound(params: StragglerParams, unitMs: number, centralMs: number, workers: number): StragglerBound {
  let workMs = 0;
  let barrierMs = 0;
  let longestChainMs = 0;
  for (let visit = 0; visit < params.visits; visit++) {
    const costs = Array.from({ length: params.sensors }, (_, s) => sensorCost(params.seed, visit, s) * unitMs);
    const shares = Array.from({ length: workers }, (_, w) => costs.filter((_, s) => s % workers === w).reduce((a, b) => a + b, 0));
    const roundWork = costs.reduce((a, b) => a + b, 0) + centralMs;
    workMs += params.rounds * roundWork;
    barrierMs += params.rounds * (Math.max(...shares) + centralMs);
    longestChainMs = Math.max(longestChainMs, params.rounds * (Math.max(...costs) + centralMs));
  }
  return { workMs, barrierMs, lowerBoundMs: Math.max(workMs / workers, longestChainMs) };
}
