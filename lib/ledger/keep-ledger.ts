/**
 * The public `start` and `run`: the core's `startRun`, wrapped from outside by the run ledger when
 * `options.ledger` asks for one; and the public `resume` and `readRunStatus`. The ledger's other
 * modules (and better-sqlite3, write-file-atomic, picomatch, es-module-lexer: ~50 ms cold) are
 * imported only when one of these needs them, so a run that keeps none, and every worker host (which
 * imports `skyloom` to load algorithms), never loads them (`.ci/check-layers.mjs` checks that
 * `skyloom`'s static imports reach no other module of `lib/ledger/`).
 *
 * It does not record or read anything itself (`open-ledger.ts`, the journal, `run-status.ts` do).
 */
import type { Algorithm } from '../algorithm.ts';
import { startRun, type Job, type RunResult, type StartOptions as CoreStartOptions } from '../run.ts';
import type { OpenRunLayer } from '../run-layer.ts';
import type { LedgerOptions } from './open-ledger.ts';
import type { ResumeOptions } from './resume.ts';
import type { RunStatus } from './run-status.ts';

export interface StartOptions extends CoreStartOptions {
  /**
   * Keep a run ledger (SQLite) in `runDir`: every unit, collective and provenance digest, with outputs
   * persisted so the run can be resumed (`resume()`) and any unit whose input was kept replayed.
   */
  readonly ledger?: LedgerOptions | boolean;
}

/** Starts `alg` on `input` with a runner. Bad options throw `SKY_INVALID_ARGUMENT` at once; a ledger that cannot be opened rejects the result. */
export function start<I, O>(alg: Algorithm<I, O>, input: I, options: StartOptions): Job<O> {
  return startRun(alg, input, options, options?.ledger ? ledgerLayer(options.ledger === true ? {} : options.ledger) : undefined);
}

/** `start(...).result`. */
export function run<I, O>(alg: Algorithm<I, O>, input: I, options: StartOptions): Promise<RunResult<O>> {
  return start(alg, input, options).result;
}

/** `resume()` of `resume.ts`, whose modules are loaded only when a run is resumed. */
export async function resume(runDir: string, options: ResumeOptions): Promise<Job<unknown>> {
  const resuming = await import('./resume.ts');
  return resuming.resume(runDir, options);
}

/** A summary of the run recorded in `runDir`, read from its ledger (read-only): `readRunStatus()` of `run-status.ts`, loaded on call. */
export async function readRunStatus(runDir: string): Promise<RunStatus> {
  const status = await import('./run-status.ts');
  return status.readRunStatus(runDir);
}

function ledgerLayer(options: LedgerOptions): OpenRunLayer {
  return async ({ runDir, algorithm, input, seed, runner }) => {
    const { openLedger } = await import('./open-ledger.ts');
    const ledger = openLedger(runDir, algorithm, input, { seed, runner }, options);
    return { journal: ledger.journal, ...(ledger.onEvent ? { onEvent: ledger.onEvent } : {}), finish: (outcome) => ledger.finish(outcome) };
  };
}
