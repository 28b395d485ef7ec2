/**
 * The `skyloom run` options: their defaults and their validation. A bad value is a `UsageError` (the
 * command exits 2 with its message). Parsing only: nothing here starts a run.
 */
import { availableParallelism } from 'node:os';
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

const units: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/** `2GB`, `512MiB`, `1e9` → bytes. */
export function parseBytes(text: string, what = '--memory'): number {
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(text);
  const bytes = m ? Number(m[1]) * (units[(m[2] ?? 'b').toLowerCase()] ?? NaN) : NaN;
  if (!Number.isFinite(bytes) || bytes < 1) throw new UsageError(`${what}: expected a size such as 2GB, 512MB or 64MiB, got ${JSON.stringify(text)}`);
  return Math.floor(bytes);
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
  };
}
