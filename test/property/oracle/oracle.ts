import type { Program } from '../program.ts';
import { evaluateGroup } from './group.ts';
import { Member, type OracleEnv } from './member.ts';
import type { Prediction } from './prediction.ts';

export interface OracleOptions {
  readonly seed?: number;
  readonly verify?: boolean;
  /** The accumulator the root starts with (observe.ts gives 7). */
  readonly acc?: number;
}

/**
 * What any correct runner must do with `program`, computed by plain recursion over the program with
 * no skyloom code at all (see `member.ts`, `group.ts`). The root runs as a group of one, `root`.
 */
export function predict(program: Program, options: OracleOptions = {}): Prediction {
  const units: string[] = [];
  const collectives: string[] = [];
  let anyFailure = false;
  let mostHeld = 0;
  const env: Omit<OracleEnv, 'runGroup'> = {
    seed: options.seed ?? 42,
    verify: options.verify ?? true,
    started: (path) => void units.push(path),
    failed: () => void (anyFailure = true),
    stepHeld: (arrays) => void (mostHeld = Math.max(mostHeld, arrays)),
  };
  const completed = (collective: string): void => void collectives.push(collective);
  const full: OracleEnv = { ...env, runGroup: (g, p, i, c) => evaluateGroup(env, g, p, i, completed, c) };
  const root = new Member('root', program, { acc: options.acc ?? 7, refs: [] }, full);
  const arrival = root.run(undefined);
  const summary = () => ({ units: units.sort(), collectives: collectives.sort(), anyFailure, mostArraysPerStep: mostHeld });
  if (arrival.kind === 'failed') return { outcome: { ok: false, chain: [{ code: 'SKY_UNIT_FAILED', unitPath: 'root' }, ...arrival.chain] }, ...summary(), anyFailure: true };
  if (arrival.kind === 'gather') throw new Error('the oracle does not model a gather at the root');
  // Before the summary: the root's last step reads its last refs back, and counts them as held.
  const output = root.rootOutput();
  return { outcome: { ok: true, output }, ...summary() };
}
