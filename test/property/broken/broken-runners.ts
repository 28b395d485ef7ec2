import { MemoryStore } from '../../../lib/memory/memory-store.ts';
import { ErrorCode, SkyloomError } from '../../../lib/errors.ts';
import type { Ref } from '../../../lib/ref.ts';
import type { RunContext, Runner } from '../../../lib/runner.ts';
import type { PutOptions } from '../../../lib/put.ts';
import type { Borrower, Store } from '../../../lib/store.ts';
import type { GroupDriver } from '../../../runners/shared/group-driver.ts';
import { runLocalRoot } from '../../../runners/shared/run-local-root.ts';

interface TestRunnerOptions {
  readonly concurrent: boolean;
  readonly wrap?: (driver: GroupDriver) => GroupDriver;
  readonly store?: (verify: boolean) => Store;
}

/** The real one-thread runner pieces (`runLocalRoot`), with a bug injected through `wrap` or `store`. */
export function testRunner(name: string, options: TestRunnerOptions): Runner {
  return {
    name,
    async execute(run: RunContext): Promise<unknown> {
      const store = options.store?.(run.verify) ?? new MemoryStore({ verify: run.verify });
      try {
        return await runLocalRoot(run, store, { concurrent: options.concurrent, ...(options.wrap ? { wrap: options.wrap } : {}) });
      } finally {
        await store.close();
      }
    },
  };
}

/**
 * Broken: hands gathered values to `central` in the order members arrived, not member order. Members
 * step concurrently, so one with less work before its gather arrives first.
 */
export function arrivalOrderRunner(): Runner {
  return testRunner('broken: arrival order', { concurrent: true, wrap: (driver) => new ArrivalOrderDriver(driver) });
}

class ArrivalOrderDriver implements GroupDriver {
  readonly #inner: GroupDriver;
  #arrived: number[] = [];

  constructor(inner: GroupDriver) {
    this.#inner = inner;
  }

  get paths(): readonly string[] {
    return this.#inner.paths;
  }

  async toCollective(i: number, reply: Parameters<GroupDriver['toCollective']>[1]): ReturnType<GroupDriver['toCollective']> {
    const arrival = await this.#inner.toCollective(i, reply);
    this.#arrived.push(i);
    return arrival;
  }

  central(values: unknown[]): ReturnType<GroupDriver['central']> {
    const order = this.#arrived;
    this.#arrived = [];
    return this.#inner.central(order.map((i) => values[i]));
  }

  cancel(i: number): Promise<void> {
    return this.#inner.cancel(i);
  }
}

/** Broken: "spills" every value of `threshold` bytes or more when its step ends, and loses the file. */
export function droppedSpillRunner(threshold = 4096): Runner {
  return testRunner('broken: drops spilled refs', { concurrent: false, store: (verify) => new DroppingStore(new MemoryStore({ verify }), threshold) });
}

class DroppingStore implements Store {
  readonly #inner: MemoryStore;
  readonly #threshold: number;
  readonly #fresh = new Map<string, string[]>();
  readonly #lost = new Set<string>();

  constructor(inner: MemoryStore, threshold: number) {
    this.#inner = inner;
    this.#threshold = threshold;
  }

  get bytes(): number {
    return this.#inner.bytes;
  }

  get peakBytes(): number {
    return this.#inner.peakBytes;
  }

  put(value: unknown, borrower: Borrower, options?: PutOptions): Ref {
    const ref = this.#inner.put(value, borrower, options);
    if (ref.bytes >= this.#threshold) this.#fresh.set(borrower.path, [...(this.#fresh.get(borrower.path) ?? []), ref.$ref]);
    return ref;
  }

  get(ref: Ref, borrower: Borrower): unknown {
    if (this.#lost.has(ref.$ref)) throw new SkyloomError(ErrorCode.UnknownRef, `ref ${ref.$ref} is not in this run's store`, { unitPath: borrower.path, ref: ref.$ref });
    return this.#inner.get(ref, borrower);
  }

  take(ref: Ref, borrower: Borrower): unknown {
    if (this.#lost.has(ref.$ref)) throw new SkyloomError(ErrorCode.UnknownRef, `ref ${ref.$ref} is not in this run's store`, { unitPath: borrower.path, ref: ref.$ref });
    return this.#inner.take(ref, borrower);
  }

  share(value: unknown): void {
    this.#inner.share(value);
  }

  endStep(borrower: Borrower, leaving?: unknown): SkyloomError | undefined {
    for (const id of this.#fresh.get(borrower.path) ?? []) this.#lost.add(id);
    this.#fresh.delete(borrower.path);
    return this.#inner.endStep(borrower, leaving);
  }

  close(): void {
    this.#inner.close();
  }
}
