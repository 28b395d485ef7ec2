import { MemoryStore } from '../lib/memory-store.ts';
import type { RunContext, Runner } from '../lib/runner.ts';
import { runLocalGroup } from './shared/local-group.ts';

export interface InlineRunnerOptions {
  /** Step a group's members at once (still one thread) instead of one at a time. Default false. */
  readonly concurrent?: boolean;
  /** Wraps each member's step; used by tests to randomise completion order (implies nothing else). */
  readonly interleave?: <T>(step: Promise<T>) => Promise<T>;
}

/**
 * The reference runner: one thread, no memory limit, depth-first and in member order. Every other
 * runner must return what this one returns.
 */
export function inlineRunner(options: InlineRunnerOptions = {}): Runner {
  const concurrent = options.concurrent ?? false;
  return {
    name: 'inline',
    async execute(run: RunContext): Promise<unknown> {
      const store = new MemoryStore({ verify: run.verify });
      const env = {
        seed: run.seed,
        store,
        emit: run.emit,
        stats: run.stats,
        concurrent,
        ...(options.interleave ? { interleave: options.interleave } : {}),
        ...(run.journal ? { journal: run.journal } : {}),
      };
      try {
        const root = { algorithm: run.algorithm, input: run.input, path: 'root', index: 0, size: 1 };
        const [output] = await runLocalGroup(env, [root], 'root', run.signal);
        return output;
      } finally {
        await run.journal?.settle(); // the ledger may still be reading outputs from the store
        run.stats.peakStoreBytes = Math.max(run.stats.peakStoreBytes, store.peakBytes);
        store.close();
      }
    },
  };
}
