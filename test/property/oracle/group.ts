import { foldAll, mix } from '../arith.ts';
import type { CentralKind, Program } from '../program.ts';
import { Member, type Arrival, type CentralReply, type Gathered, type GroupResult, type MemberInput, type MemberOutcome, type OracleEnv } from './member.ts';
import { Code, type ChainLink } from './prediction.ts';

/**
 * A group, phase by phase, as the design brief (contract 4 and the collective rules) states it,
 * written from the rules and not from skyloom's group loop: every member runs to the end of its phase;
 * the failure of the earliest phase and, within it, of the lowest member index wins; otherwise a member
 * that returned while others gather is an early return (lowest such member), a member whose central
 * differs from member 0's is a mismatch (lowest such member); otherwise member 0's central runs on the
 * values in member order, with the member indices. The group fails as `SKY_UNIT_FAILED` of the member
 * at fault.
 *
 * Under `onFailure: 'collect'` (issue 18) a member that fails *leaves* the group instead (its outcome
 * is `SKY_UNIT_FAILED` of it, wrapping its failure); the rules above then apply to the live members
 * only (the first live member's central, on the live members' values and indices), and the group's
 * result is every member's outcome. Only an early return or a mismatch fails a collecting group.
 */
export function evaluateGroup(env: Omit<OracleEnv, 'runGroup'>, group: string, programs: readonly Program[], inputs: readonly MemberInput[], completed: (collective: string) => void, collect = false): GroupResult {
  const full: OracleEnv = { ...env, runGroup: (g, p, i, c) => evaluateGroup(env, g, p, i, completed, c) };
  const members = programs.map((program, i) => new Member(`${group}:${i}`, program, inputs[i] as MemberInput, full));
  const left = new Map<number, readonly ChainLink[]>();
  let replies: (CentralReply | undefined)[] = members.map(() => undefined);
  for (let number = 1; ; number++) {
    const arrivals = members.map((member, i) => (left.has(i) ? undefined : member.run(replies[i])));
    if (!collect) {
      const failed = arrivals.findIndex((a) => a?.kind === 'failed');
      if (failed >= 0) return failure(env, members, failed, (arrivals[failed] as Extract<Arrival, { kind: 'failed' }>).chain);
    }
    arrivals.forEach((a, i) => a?.kind === 'failed' && left.set(i, [{ code: Code.unitFailed, unitPath: (members[i] as Member).path }, ...a.chain]));
    const live = members.map((_, i) => i).filter((i) => !left.has(i));
    const ended = live.map((i) => arrivals[i] as Exclude<Arrival, { kind: 'failed' }>);
    const gathering = ended.filter((a): a is Extract<Arrival, { kind: 'gather' }> => a.kind === 'gather');
    if (gathering.length === 0) return outputs(members, arrivals, left, collect);
    const returned = ended.findIndex((a) => a.kind === 'returned');
    if (returned >= 0) return fault(env, members, live[returned] as number, Code.earlyReturn);
    const first = gathering[0] as Extract<Arrival, { kind: 'gather' }>;
    const odd = gathering.findIndex((a) => a.central !== first.central);
    if (odd >= 0) return fault(env, members, live[odd] as number, Code.mismatch);
    const answers = central(first.central, gathering.map((a) => a.value), live);
    replies = members.map(() => undefined);
    live.forEach((i, k) => (replies[i] = answers[k]));
    completed(`${group}#${number}/${live.length}`);
  }
}

/** Every member returned (or, under 'collect', returned or left). */
function outputs(members: readonly Member[], arrivals: readonly (Arrival | undefined)[], left: ReadonlyMap<number, readonly ChainLink[]>, collect: boolean): GroupResult {
  const output = (i: number): MemberInput => (arrivals[i] as Extract<Arrival, { kind: 'returned' }>).output;
  if (!collect) return { ok: true, outputs: members.map((_, i) => output(i)) };
  return { ok: true, outcomes: members.map((_, i): MemberOutcome => (left.has(i) ? { ok: false, chain: left.get(i) as readonly ChainLink[] } : { ok: true, output: output(i) })) };
}

function failure(env: Omit<OracleEnv, 'runGroup'>, members: readonly Member[], index: number, chain: readonly ChainLink[]): GroupResult {
  env.failed();
  const path = (members[index] as Member).path;
  return { ok: false, chain: [{ code: Code.unitFailed, unitPath: path }, ...chain] };
}

function fault(env: Omit<OracleEnv, 'runGroup'>, members: readonly Member[], index: number, code: string): GroupResult {
  const path = (members[index] as Member).path;
  return failure(env, members, index, [{ code, unitPath: path }]);
}

/** The interpreter's central functions, by the program's definition: they fold the member indices in too. */
function central(kind: CentralKind, values: readonly Gathered[], indices: readonly number[]): CentralReply[] {
  const accs = values.map((v) => v.acc);
  const refs = values.flatMap((v) => (v.ref ? [v.ref] : []));
  switch (kind) {
    case 'fold': {
      const reply = { acc: foldAll([...accs, ...indices]), refs };
      return values.map(() => reply);
    }
    case 'perMember': {
      const all = foldAll([...accs, ...indices]);
      return values.map((_, i) => {
        const next = values[(i + 1) % values.length] as Gathered;
        return { acc: mix(all, indices[i] as number), refs: next.ref ? [next.ref] : [] };
      });
    }
    case 'alt': {
      const reply = { acc: foldAll([...accs].reverse()) ^ 0xa17, refs: [] };
      return values.map(() => reply);
    }
  }
}
