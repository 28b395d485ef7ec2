import { foldAll, mix } from '../arith.ts';
import type { CentralKind, Program } from '../program.ts';
import { Member, type Arrival, type CentralReply, type Gathered, type GroupResult, type MemberInput, type OracleEnv } from './member.ts';
import { Code, type ChainLink } from './prediction.ts';

/**
 * A group, phase by phase, as the design brief (contract 4 and the collective rules) states it,
 * written from the rules and not from skyloom's group loop: every member runs to the end of its phase;
 * the failure of the earliest phase and, within it, of the lowest member index wins; otherwise a member
 * that returned while others gather is an early return (lowest such member), a member whose central
 * differs from member 0's is a mismatch (lowest such member); otherwise member 0's central runs on the
 * values in member order. The group fails as `SKY_UNIT_FAILED` of the member at fault.
 */
export function evaluateGroup(env: Omit<OracleEnv, 'runGroup'>, group: string, programs: readonly Program[], inputs: readonly MemberInput[], completed: (collective: string) => void): GroupResult {
  const full: OracleEnv = { ...env, runGroup: (g, p, i) => evaluateGroup(env, g, p, i, completed) };
  const members = programs.map((program, i) => new Member(`${group}:${i}`, program, inputs[i] as MemberInput, full));
  let replies: (CentralReply | undefined)[] = members.map(() => undefined);
  for (let number = 1; ; number++) {
    const arrivals = members.map((member, i) => member.run(replies[i]));
    const failed = arrivals.findIndex((a) => a.kind === 'failed');
    if (failed >= 0) return failure(env, members, failed, (arrivals[failed] as Extract<Arrival, { kind: 'failed' }>).chain);
    const gathering = arrivals.filter((a): a is Extract<Arrival, { kind: 'gather' }> => a.kind === 'gather');
    if (gathering.length === 0) return { ok: true, outputs: arrivals.map((a) => (a as Extract<Arrival, { kind: 'returned' }>).output) };
    const returned = arrivals.findIndex((a) => a.kind === 'returned');
    if (returned >= 0) return fault(env, members, returned, Code.earlyReturn);
    const first = gathering[0] as Extract<Arrival, { kind: 'gather' }>;
    const odd = gathering.findIndex((a) => a.central !== first.central);
    if (odd >= 0) return fault(env, members, odd, Code.mismatch);
    replies = central(first.central, gathering.map((a) => a.value));
    completed(`${group}#${number}/${members.length}`);
  }
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

/** The interpreter's central functions, by the program's definition. */
function central(kind: CentralKind, values: readonly Gathered[]): CentralReply[] {
  const accs = values.map((v) => v.acc);
  const refs = values.flatMap((v) => (v.ref ? [v.ref] : []));
  switch (kind) {
    case 'fold': {
      const reply = { acc: foldAll(accs), refs };
      return values.map(() => reply);
    }
    case 'perMember': {
      const all = foldAll(accs);
      return values.map((_, i) => {
        const next = values[(i + 1) % values.length] as Gathered;
        return { acc: mix(all, i), refs: next.ref ? [next.ref] : [] };
      });
    }
    case 'alt': {
      const reply = { acc: foldAll([...accs].reverse()) ^ 0xa17, refs: [] };
      return values.map(() => reply);
    }
  }
}
