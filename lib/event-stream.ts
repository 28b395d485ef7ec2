// Deep imports (in rxjs's exports map): the 'rxjs' entry loads every operator, ~100 ms more at the start
// of every process and every cluster host. Same classes: the entry re-exports these modules.
import { Observable } from 'rxjs/internal/Observable';
import type { Subscription } from 'rxjs/internal/Subscription';

/**
 * An rxjs Observable that is also async-iterable, so `for await (const e of job.events)` works as well
 * as `from(job.events)` and `.subscribe()`. Iterating buffers what arrives faster than it is consumed.
 */
export class EventStream<T> extends Observable<T> implements AsyncIterable<T> {
  [Symbol.asyncIterator](): AsyncIterator<T> {
    const queue: T[] = [];
    let waiting: ((r: IteratorResult<T>) => void) | undefined;
    let failing: ((e: unknown) => void) | undefined;
    let ended = false;
    let failure: { error: unknown } | undefined;
    const settle = (): void => {
      if (!waiting) return;
      const [resolve, reject] = [waiting, failing];
      if (queue.length > 0) resolve({ done: false, value: queue.shift() as T });
      else if (failure) reject?.(failure.error);
      else if (ended) resolve({ done: true, value: undefined });
      else return;
      waiting = failing = undefined;
    };
    const subscription: Subscription = this.subscribe({
      next: (value) => (queue.push(value), settle()),
      error: (error: unknown) => ((failure = { error }), settle()),
      complete: () => ((ended = true), settle()),
    });
    return {
      next: () =>
        new Promise<IteratorResult<T>>((resolve, reject) => {
          [waiting, failing] = [resolve, reject];
          settle();
        }),
      return: () => {
        subscription.unsubscribe();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
}
