import { MemoryStore } from '../lib/memory/memory-store.ts';
import type { RunContext, Runner } from '../lib/runner.ts';
import { runLocalRoot } from './shared/run-local-root.ts';

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
      try {
        return await runLocalRoot(run, store, { concurrent, ...(options.interleave ? { interleave: options.interleave } : {}) });
      } finally {
        store.close();
      }
    },
  };
}
