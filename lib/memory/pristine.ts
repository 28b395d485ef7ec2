import { binaryChecksum } from './checksum.ts';
import { ErrorCode, SkyloomError } from '../errors.ts';

/**
 * Verify-mode bookkeeping shared by stores: which refs each borrower read during its step, and the
 * checksum each ref had at `put`. A ref whose buffer was found changed is poisoned: later readers get
 * the violation instead of corrupted data. Mechanism only; the store decides when to call it.
 */
export class PristineLedger {
  readonly #sums = new Map<string, string>();
  readonly #borrowed = new Map<string, Map<string, unknown>>();
  readonly #poisoned = new Map<string, SkyloomError>();

  /** Records the checksum of a value just put. */
  track(id: string, value: unknown): void {
    const sum = binaryChecksum(value);
    if (sum !== undefined) this.#sums.set(id, sum);
  }

  /** Records that `path` read `id` (only refs with binary parts need re-checking). */
  borrow(path: string, id: string, value: unknown): void {
    if (!this.#sums.has(id)) return;
    let refs = this.#borrowed.get(path);
    if (!refs) this.#borrowed.set(path, (refs = new Map()));
    refs.set(id, value);
  }

  /** The violation recorded for `id`, if any. */
  poisoned(id: string): SkyloomError | undefined {
    return this.#poisoned.get(id);
  }

  /** Re-checks what `path` borrowed, releases it, and returns the first violation. Never throws. */
  endStep(path: string): SkyloomError | undefined {
    const refs = this.#borrowed.get(path);
    if (!refs) return undefined;
    this.#borrowed.delete(path);
    let first: SkyloomError | undefined;
    for (const [id, value] of refs) {
      const sum = this.#sums.get(id);
      // A ref freed during the step (its handle was dropped and collected) can never be read again.
      if (sum === undefined || binaryChecksum(value) === sum) continue;
      const violation = new SkyloomError(
        ErrorCode.PristineViolation,
        `unit ${path} changed the buffer of ref ${id} in place; make a new version with put() instead`,
        { unitPath: path, ref: id },
      );
      this.#poisoned.set(id, violation);
      first ??= violation;
    }
    return first;
  }

  /** Forgets `id` (when the store frees it). */
  forget(id: string): void {
    this.#sums.delete(id);
    this.#poisoned.delete(id);
  }
}
