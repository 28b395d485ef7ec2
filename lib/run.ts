import { existsSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlgorithm, type Algorithm } from './algorithm.ts';
import { describeValue } from './describe-value.ts';
import { SkyloomTypeError } from './errors.ts';
import { defaultEventWindowBytes, EventLog, type EventWindow } from './event-log.ts';
import type { EventStream } from './event-stream.ts';
import type { Emit, RunEvent } from './events.ts';
import { deepFreeze } from './freeze.ts';
import { codeOf } from './errors.ts';
import type { OpenRunLayer, RunLayer } from './run-layer.ts';
import { isRunner, type Runner } from './runner.ts';
import { StatsRecorder, type RunStats } from './stats.ts';

export interface StartOptions {
  readonly runner: Runner;
  /** Seeds every unit's `ctx.random`. Default 0. */
  readonly seed?: number;
  /** Checksum typed arrays at put and re-check at the borrower's next pause. Default: on when SKYLOOM_VERIFY=1 (as in tests). */
  readonly verify?: boolean;
  /** Most events a late subscriber is replayed, and `result.events` keeps. Default: no count bound (the byte bound holds). */
  readonly eventWindow?: number;
  /** About how many bytes of events the run keeps for late subscribers and `result.events` (an estimate). Default 32 MiB. */
  readonly eventWindowBytes?: number;
  /**
   * The run's own directory. Default: a fresh `skyloom/run-…` directory under the OS temp directory.
   * A run that keeps no ledger removes it at the end if the run made it and left nothing in it.
   */
  readonly runDir?: string;
  /** Aborting it cancels every unit; the result rejects with `SKY_CANCELLED`. */
  readonly signal?: AbortSignal;
}

export interface RunResult<O> {
  readonly output: O;
  /** The run's events: the last of them, within `eventWindow` events and about `eventWindowBytes` bytes. */
  readonly events: readonly RunEvent[];
  readonly stats: RunStats;
}

export interface Job<O> {
  /** Live at once; replays past events to late subscribers; completes when the run ends. */
  readonly events: EventStream<RunEvent>;
  readonly result: Promise<RunResult<O>>;
  /** The run's own directory (spill files, ledger). */
  readonly runDir: string;
  /** Cancels the run. */
  cancel(): void;
}

/**
 * Starts `alg` on `input` with a runner, with an optional layer around the run (the ledger, see
 * `lib/ledger/keep-ledger.ts`, which the public `start` passes when a run keeps one). Bad options
 * throw `SKY_INVALID_ARGUMENT` at once; a layer that fails to open rejects the result.
 */
export function startRun<I, O>(alg: Algorithm<I, O>, input: I, options: StartOptions, openLayer?: OpenRunLayer): Job<O> {
  const { runner, seed, verify, window } = validate(alg, options);
  const runDir = options.runDir ?? defaultRunDir();
  const madeRunDir = !existsSync(runDir);
  const frozenInput = deepFreeze(input);
  const log = new EventLog(window);
  const stats = new StatsRecorder();
  const emit: Emit = (event) => {
    if (event.type === 'spill-out') stats.spilledBytes += event.bytes;
    else if (event.type === 'spill-in') stats.readBackBytes += event.bytes;
    log.emit(event);
  };
  const abort = new AbortController();
  options.signal?.addEventListener('abort', () => abort.abort(), { once: true });
  const algorithm = alg as Algorithm<unknown, unknown>;
  let layer: RunLayer | undefined;
  const execute = async (): Promise<unknown> => {
    layer = await openLayer?.({ runDir, algorithm, input: frozenInput, seed, runner: runner.name });
    if (layer?.onEvent) log.tap(layer.onEvent);
    const journal = layer?.journal;
    return runner.execute({ algorithm, input: frozenInput, seed, verify, signal: abort.signal, emit, stats, runDir, ...(journal ? { journal } : {}) });
  };
  const result = execute()
    .then(
      async (output) => {
        await layer?.finish('finished');
        return { output: output as O, events: log.kept(), stats: stats.snapshot() };
      },
      async (error: unknown) => {
        await finishQuietly(layer, `failed: ${codeOf(error) ?? 'ERR_USER'}`);
        throw error;
      },
    )
    .finally(async () => {
      // A run without a layer leaves no directory behind; only an empty one is removed (what a runner
      // was told to keep, such as `keepSpill` files, stays).
      if (!openLayer && madeRunDir) await rmdir(runDir).catch(() => {});
      log.complete();
    });
  result.catch(() => {}); // the caller observes the rejection through `result`
  return { events: log.stream, result, runDir, cancel: () => abort.abort() };
}

/** Closes the layer of a failed run; the run's own error is the one to report. */
async function finishQuietly(layer: RunLayer | undefined, outcome: string): Promise<void> {
  try {
    await layer?.finish(outcome);
  } catch {
    // The run already failed; its error says more than a recording failure would.
  }
}

let runCounter = 0;

function defaultRunDir(): string {
  return join(tmpdir(), 'skyloom', `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}-${++runCounter}`);
}

function validate(alg: unknown, options: StartOptions): { runner: Runner; seed: number; verify: boolean; window: EventWindow } {
  if (!isAlgorithm(alg)) throw new SkyloomTypeError('start(algorithm, input, options)', 'an algorithm made by algorithm()', describeValue(alg));
  if (typeof options !== 'object' || options === null) throw new SkyloomTypeError('start options', 'an object with a runner', describeValue(options));
  const { runner, seed = 0, verify = process.env.SKYLOOM_VERIFY === '1', eventWindow = Number.MAX_SAFE_INTEGER, eventWindowBytes = defaultEventWindowBytes } = options;
  if (!isRunner(runner)) throw new SkyloomTypeError('start options.runner', 'a runner such as inlineRunner()', describeValue(runner));
  if (!Number.isSafeInteger(seed)) throw new SkyloomTypeError('start options.seed', 'a safe integer', describeValue(seed));
  if (typeof verify !== 'boolean') throw new SkyloomTypeError('start options.verify', 'a boolean', describeValue(verify));
  if (options.runDir !== undefined && (typeof options.runDir !== 'string' || options.runDir === '')) {
    throw new SkyloomTypeError('start options.runDir', 'a directory path', describeValue(options.runDir));
  }
  if (!Number.isSafeInteger(eventWindow) || eventWindow < 1) throw new SkyloomTypeError('start options.eventWindow', 'a positive integer', describeValue(eventWindow));
  if (!Number.isSafeInteger(eventWindowBytes) || eventWindowBytes < 1) throw new SkyloomTypeError('start options.eventWindowBytes', 'a positive integer', describeValue(eventWindowBytes));
  return { runner, seed, verify, window: { events: eventWindow, bytes: eventWindowBytes } };
}
