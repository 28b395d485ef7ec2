/**
 * The `skyloom run` options: their defaults and their validation. A bad value is a `UsageError` (the
 * command exits 2 with its message). Parsing only: nothing here starts a run.
 */
import { availableParallelism } from 'node:os';
import { formatBytes, parseByteSize } from '../lib/byte-size.ts';
import { ErrorCode } from '../lib/index.ts';
import { cameraPresetNames, isCameraPresetName, type CameraPresetName } from '../algorithms/index.ts';
import { minimumMemoryBudget } from '../runners/index.ts';

export const runnerNames = ['inline', 'laptop', 'cluster', 'slurm'] as const;
export type RunnerName = (typeof runnerNames)[number];

export interface RunOptions {
  readonly camera: CameraPresetName;
  readonly visits: number;
  readonly runner: RunnerName;
  /** `--memory` in bytes: the whole run's budget; undefined when not given (see `memory-plan.ts`). */
  readonly memory: number | undefined;
  readonly workers: number;
  /** Slurm tasks (host processes) of the slurm runner; undefined: the runner's default (SLURM_NTASKS in an allocation). */
  readonly tasks: number | undefined;
  readonly seed: number;
  readonly out: string | undefined;
  readonly json: boolean;
  readonly progress: boolean;
  /** Which units' inputs the ledger keeps for replay: a unit-path pattern, `all`, or undefined (none). */
  readonly keep: string | undefined;
  /** A run directory to resume instead of starting a new run. */
  readonly resume: string | undefined;
  /**
   * Override a safety refusal: resume a changed algorithm or a ledger with a damaged WAL, run more
   * cluster workers than the machine has cores, start a run estimated not to fit in memory.
   */
  readonly force: boolean;
  /** Sensors of the synthetic camera made defective (seeded): their processing fails. */
  readonly defectiveSensors: number;
  /** Process only the first N sensors of each visit (all by default). */
  readonly sensors: number | undefined;
  /** A failed sensor fails its visit and the run (exit 1), instead of the visit going on without it. */
  readonly failFast: boolean;
  /** Write the run report (`report.html`, see `skyloom report`) when the run ends. */
  readonly report: boolean;
  /** The options typed on the command line (the others are defaults): a resume keeps the recorded ones for those. */
  readonly explicit: readonly string[];
}

export const defaultRunOptions = {
  camera: 'demo',
  visits: 4,
  runner: 'laptop',
  workers: availableParallelism(),
  seed: 0,
} as const;

/** A bad command line: the message says what was expected and what was got; `code` is the error code, if one applies. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** `2GB` (10^9), `512MiB` (2^29), or a byte count → bytes, with lib/byte-size's rules; at least 1 byte. */
export function parseBytes(text: string, what = '--memory'): number {
  let bytes = 0;
  try {
    bytes = parseByteSize(text, what);
  } catch {
    // reported below, in the command line's own words
  }
  if (bytes < 1) throw new UsageError(`${what}: expected a size such as 2GB, 512MB or 64MiB, got ${JSON.stringify(text)}`, ErrorCode.InvalidArgument);
  return bytes;
}

/**
 * `--memory` checked against what the runner needs to start: the laptop runner's minimum for the
 * whole budget, and the same minimum for each cluster worker's even share. The inline runner ignores it.
 */
export function checkMemory(memory: number | undefined, runner: RunnerName, workers: number): void {
  if (memory === undefined || runner === 'inline') return;
  const share = runner === 'cluster' ? Math.floor(memory / workers) : memory;
  if (share >= minimumMemoryBudget) return;
  const needed = runner === 'cluster' ? `at least ${formatBytes(minimumMemoryBudget * workers)} (${formatBytes(minimumMemoryBudget)} per worker × ${workers})` : `at least ${formatBytes(minimumMemoryBudget)}`;
  throw new UsageError(`--memory: the ${runner} runner needs ${needed}, got ${memory} bytes`, ErrorCode.MemoryBudget);
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

/** Raw commander values (strings, or the defaults) → checked options; `explicit`: the keys typed on the command line (default: every key of `raw`). */
export function resolveRunOptions(raw: Record<string, unknown>, explicit: readonly string[] = Object.keys(raw)): RunOptions {
  const text = (key: string, fallback: string | number): string => String(raw[key] ?? fallback);
  const options: RunOptions = {
    camera: parseCamera(text('camera', defaultRunOptions.camera)),
    visits: parseInteger(text('visits', defaultRunOptions.visits), '--visits', 1, 10_000),
    runner: parseRunner(text('runner', defaultRunOptions.runner)),
    memory: raw.memory === undefined ? undefined : parseBytes(String(raw.memory)),
    workers: parseInteger(text('workers', defaultRunOptions.workers), '--workers', 1, 1024),
    tasks: raw.tasks === undefined ? undefined : parseInteger(String(raw.tasks), '--tasks', 1, 100_000),
    seed: parseInteger(text('seed', defaultRunOptions.seed), '--seed', -(2 ** 31), 2 ** 31 - 1),
    out: raw.out === undefined ? undefined : String(raw.out),
    json: raw.json === true,
    progress: raw.progress !== false,
    keep: raw.keep === undefined ? undefined : parseKeep(String(raw.keep)),
    resume: raw.resume === undefined ? undefined : String(raw.resume),
    force: raw.force === true,
    defectiveSensors: parseInteger(text('defectiveSensors', 0), '--defective-sensors', 0, 100_000),
    failFast: raw.failFast === true,
    sensors: raw.sensors === undefined ? undefined : parseInteger(String(raw.sensors), '--sensors', 1, 100_000),
    report: raw.report === true,
    explicit,
  };
  checkMemory(options.memory, options.runner, options.workers);
  return options;
}
