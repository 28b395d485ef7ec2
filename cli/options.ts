/**
 * The `skyloom run` options: their defaults and their validation. A bad value is a `UsageError` (the
 * command exits 2 with its message). Parsing only: nothing here starts a run.
 */
import { availableParallelism } from 'node:os';
import { parseByteSize } from '../lib/byte-size.ts';
import { cameraPresetNames, isCameraPresetName, type CameraPresetName } from '../algorithms/index.ts';

export const runnerNames = ['inline', 'laptop', 'cluster'] as const;
export type RunnerName = (typeof runnerNames)[number];

export interface RunOptions {
  readonly camera: CameraPresetName;
  readonly visits: number;
  readonly runner: RunnerName;
  /** Bytes. */
  readonly memory: number;
  readonly workers: number;
  readonly seed: number;
  readonly out: string | undefined;
  readonly json: boolean;
  readonly progress: boolean;
  /** Which units' inputs the ledger keeps for replay: a unit-path pattern, `all`, or undefined (none). */
  readonly keep: string | undefined;
  /** A run directory to resume instead of starting a new run. */
  readonly resume: string | undefined;
  /** Resume even though the algorithm's module changed. */
  readonly force: boolean;
  /** Write the run report (`report.html`, see `skyloom report`) when the run ends. */
  readonly report: boolean;
}

export const defaultRunOptions = {
  camera: 'demo',
  visits: 4,
  runner: 'laptop',
  memory: '64MB',
  workers: availableParallelism(),
  seed: 0,
} as const;

/** A bad command line: the message says what was expected and what was got. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `2GB` (10^9), `512MiB` (2^29), or a byte count → bytes, with lib/byte-size's rules; at least 1 byte. */
export function parseBytes(text: string, what = '--memory'): number {
  let bytes = 0;
  try {
    bytes = parseByteSize(text, what);
  } catch {
    // reported below, in the command line's own words
  }
  if (bytes < 1) throw new UsageError(`${what}: expected a size such as 2GB, 512MB or 64MiB, got ${JSON.stringify(text)}`);
  return bytes;
}

/** A whole number within [min, max]. */
export function parseInteger(text: string, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = /^\s*-?\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new UsageError(`${what}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return value;
}

export function parseCamera(text: string): CameraPresetName {
  if (!isCameraPresetName(text)) throw new UsageError(`--camera: expected one of ${cameraPresetNames.join(', ')}, got ${JSON.stringify(text)}`);
  return text;
}

export function parseRunner(text: string): RunnerName {
  if (!(runnerNames as readonly string[]).includes(text)) throw new UsageError(`--runner: expected one of ${runnerNames.join(', ')}, got ${JSON.stringify(text)}`);
  return text as RunnerName;
}

export function parseKeep(text: string): string {
  if (text.trim() === '') throw new UsageError(`--keep: expected a unit-path pattern such as 'root/visit:*/**' or 'all', got ${JSON.stringify(text)}`);
  return text;
}

/** Raw commander values (strings, or the defaults) → checked options. */
export function resolveRunOptions(raw: Record<string, unknown>): RunOptions {
  const text = (key: string, fallback: string | number): string => String(raw[key] ?? fallback);
  return {
    camera: parseCamera(text('camera', defaultRunOptions.camera)),
    visits: parseInteger(text('visits', defaultRunOptions.visits), '--visits', 1, 10_000),
    runner: parseRunner(text('runner', defaultRunOptions.runner)),
    memory: parseBytes(text('memory', defaultRunOptions.memory)),
    workers: parseInteger(text('workers', defaultRunOptions.workers), '--workers', 1, 1024),
    seed: parseInteger(text('seed', defaultRunOptions.seed), '--seed', -(2 ** 31), 2 ** 31 - 1),
    out: raw.out === undefined ? undefined : String(raw.out),
    json: raw.json === true,
    progress: raw.progress !== false,
    keep: raw.keep === undefined ? undefined : parseKeep(String(raw.keep)),
    resume: raw.resume === undefined ? undefined : String(raw.resume),
    force: raw.force === true,
    report: raw.report === true,
  };
}
