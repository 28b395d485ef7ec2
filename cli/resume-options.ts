/**
 * What `skyloom run --resume DIR` runs with: the options the run was recorded with (the CLI writes them
 * into the ledger's run record), not the defaults of the flags given now. Flags that define the data
 * (camera, visits, seed, sensors, defective sensors, fail-fast, keep) must agree with the record
 * (`SKY_RESUME_CONFLICT` otherwise); flags that say how to run it (runner, memory, workers, tasks, out)
 * may be given anew and win, else the recorded ones are used. Does not read the ledger itself.
 */
import { ErrorCode, SkyloomError } from '../lib/index.ts';
import type { RunOptions } from './options.ts';

/** The options recorded of a run: these keys of `RunOptions`, as JSON (`null` for unset). */
const dataKeys = ['camera', 'visits', 'seed', 'sensors', 'defectiveSensors', 'failFast', 'keep'] as const;
const executionKeys = ['runner', 'memory', 'workers', 'tasks', 'out'] as const;

/** What the CLI records in the ledger of a new run (`LedgerOptions.options`). */
export function optionsToRecord(options: RunOptions): Record<string, unknown> {
  return Object.fromEntries([...dataKeys, ...executionKeys].map((k) => [k, options[k] ?? null]));
}

const flagOf = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * `given` (the command line, `explicit` naming the flags actually typed) merged with the `recorded`
 * options. Returns the options to run with and notes for stderr.
 */
export function resumeOptions(given: RunOptions, recorded: Readonly<Record<string, unknown>> | undefined, runDir: string): { options: RunOptions; notes: string[] } {
  if (recorded === undefined) {
    return { options: given, notes: [`${runDir} does not record the options it was run with (made by an older skyloom, or not by this command): using the flags given now`] };
  }
  const typed = new Set(given.explicit);
  const conflicts: string[] = [];
  const merged: Record<string, unknown> = { ...given };
  for (const key of dataKeys) {
    const was = recorded[key] ?? undefined;
    if (typed.has(key) && !same(given[key], was)) conflicts.push(`${flagOf(key)} ${show(given[key])} (recorded: ${show(was)})`);
    merged[key] = was;
  }
  if (conflicts.length > 0) {
    throw new SkyloomError(ErrorCode.ResumeConflict, `${runDir} was recorded with other options than the flags given: ${conflicts.join(', ')}; drop those flags to resume the run as recorded, or start a new run`);
  }
  const notes: string[] = [];
  for (const key of executionKeys) {
    const was = recorded[key] ?? undefined;
    if (typed.has(key)) {
      if (!same(given[key], was)) notes.push(`${flagOf(key)} ${show(given[key])} instead of the recorded ${show(was)}`);
    } else merged[key] = was;
  }
  return { options: merged as unknown as RunOptions, notes: notes.length > 0 ? [`resuming with ${notes.join(', ')}`] : [] };
}

function same(a: unknown, b: unknown): boolean {
  return (a ?? null) === (b ?? null);
}

function show(value: unknown): string {
  return value === undefined || value === null ? '(not set)' : String(value);
}
