import type { Observation } from './observe.ts';
import type { RunnerConfig, StoreAccounting } from './runner-configs.ts';

/**
 * Store accounting read through a runner object (not a store class): every `memory` event keeps the
 * resident bytes within the budget, the run's peak store bytes stay within the budget of each host,
 * and the laptop runner's store, once closed, holds nothing in memory or on disk.
 *
 * Not covered: a cluster host's store after close (the hosts do not report it; that its spill files
 * are gone is checked by the equivalence property's "nothing left on disk").
 */
export function accountingDifference(config: RunnerConfig, seen: Observation, closed: StoreAccounting | undefined): string | undefined {
  const budget = config.kind === 'laptop' || config.kind === 'cluster' ? config.memoryBudget : undefined;
  if (budget === undefined) return undefined;
  for (const event of seen.events) {
    if (event.type === 'memory' && event.resident > budget) return `a memory event reports ${event.resident} resident bytes, over the budget of ${budget}`;
  }
  const hosts = config.kind === 'cluster' ? config.workers : 1;
  if (seen.stats && seen.stats.peakStoreBytes > budget * hosts) return `peak store bytes ${seen.stats.peakStoreBytes} exceed ${hosts} host(s) × the budget of ${budget}`;
  if (config.kind !== 'laptop') return undefined;
  if (!closed) return 'the laptop runner did not close its store';
  if (closed.bytes !== 0 || closed.diskBytes !== 0) return `once closed, the store still counts ${closed.bytes} bytes in memory and ${closed.diskBytes} on disk`;
  return undefined;
}
