import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, type Runner, type RunEvent, type RunStats } from '../../lib/index.ts';
import { codeOf } from '../../lib/errors.ts';
import { interpret } from './interpreter.ts';
import type { Program } from './program.ts';

/** One link of a failure's cause chain: its code and the unit it names. */
export interface FailureLink {
  readonly code: string;
  readonly unitPath: string | undefined;
}

export type Outcome = { readonly ok: true; readonly output: unknown } | { readonly ok: false; readonly chain: readonly FailureLink[]; readonly message: string };

/** Everything a property compares about one run. */
export interface Observation {
  readonly outcome: Outcome;
  /** Paths of the units that started, sorted. */
  readonly units: readonly string[];
  /** Completed collectives as `group#number/members`, sorted. */
  readonly collectives: readonly string[];
  /** Entries left in the run's directory after the run (absent and empty both count as none). */
  readonly leftOnDisk: readonly string[];
  readonly events: readonly RunEvent[];
  /** The run's statistics, when it succeeded. */
  readonly stats: RunStats | undefined;
}

export interface ObserveOptions {
  readonly seed?: number;
  /** Verify mode (default true). */
  readonly verify?: boolean;
  /** Drives the run, e.g. `scheduler.waitFor(result)` for runners whose steps fast-check schedules. */
  readonly drive?: <T>(result: Promise<T>) => Promise<T>;
}

/**
 * Where runs keep their directories (and so their spill files): tmpfs when the machine has one. The
 * properties check what runs compute, not durability; on a disk shared with benchmarks, each run's
 * `fsync`s (the spill directory's probe, spilled files) cost more than the run, and more the busier
 * the disk. Durability itself is tested by `test/lib/memory/` against the real disk.
 */
function runsParent(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

/** Runs `program` with the interpreter on `runner`, in a fresh runDir, and records what it did. */
export async function observe(runner: Runner, program: Program, options: ObserveOptions = {}): Promise<Observation> {
  const runDir = await freshRunDir();
  const events: RunEvent[] = [];
  const job = start(interpret, { program, acc: 7, refs: [] }, { runner, seed: options.seed ?? 42, runDir, verify: options.verify ?? true });
  const subscription = job.events.subscribe({ next: (event: RunEvent) => void events.push(event) });
  let stats: RunStats | undefined;
  const settled = outcomeOf(job.result.then((result) => ((stats = result.stats), result)));
  const outcome = await (options.drive ? options.drive(settled) : settled);
  subscription.unsubscribe();
  const leftOnDisk = await listLeft(runDir);
  await rm(runDir, { recursive: true, force: true });
  return { outcome, ...summarise(events), leftOnDisk, events, stats };
}

/** A fresh, empty directory for one run; the caller removes it (nothing else is left behind, even when the process is killed between runs). */
export function freshRunDir(): Promise<string> {
  return mkdtemp(join(runsParent(), 'skyloom-property-run-'));
}

/** A run's output, or its failure's code/path chain. */
export function outcomeOf(result: Promise<{ readonly output: unknown }>): Promise<Outcome> {
  return result.then(
    (done): Outcome => ({ ok: true, output: done.output }),
    (error: unknown): Outcome => ({ ok: false, chain: causeChain(error), message: error instanceof Error ? error.message : String(error) }),
  );
}

export function causeChain(error: unknown): FailureLink[] {
  const chain: FailureLink[] = [];
  for (let e = error; e !== undefined && e !== null && chain.length < 64; e = (e as { cause?: unknown }).cause) {
    const unitPath = (e as { unitPath?: unknown }).unitPath;
    chain.push({ code: codeOf(e) ?? 'none', unitPath: typeof unitPath === 'string' ? unitPath : undefined });
  }
  return chain;
}

function summarise(events: readonly RunEvent[]): Pick<Observation, 'units' | 'collectives'> {
  const units: string[] = [];
  const collectives: string[] = [];
  for (const event of events) {
    if (event.type === 'unit-started') units.push(event.path);
    if (event.type === 'collective-completed') collectives.push(`${event.group}#${event.number}/${event.members}`);
  }
  return { units: units.sort(), collectives: collectives.sort() };
}

async function listLeft(dir: string): Promise<string[]> {
  try {
    return await readdir(dir, { recursive: true });
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return [];
    throw error;
  }
}
