/**
 * Runs one group whose members live on worker hosts, with the shared `runGroup` (phases, failure
 * rule, mismatch detection, cancellation) and members stepped at once. The cluster `GroupDriver` asks
 * a member's host to step its unit to its next pause; a scatter pause comes back here, its children
 * are placed and run as a group of their own, and the outputs (or the failure) go back to the host.
 * The central function runs on member 0's host, which holds it.
 *
 * A member whose host is lost fails with `SKY_HOST_LOST` as soon as the loss is known: a call in
 * flight rejects; a member waiting at a gather is watched (`watchWaiting`); a member waiting at a
 * scatter has its children's group stopped. A member cancelled while its step runs is let go at once
 * (a thread cannot be interrupted: its host finishes the step unobserved, then cancels the unit), so a
 * failing group does not wait for siblings' long steps. A group that failed because of a lost host is
 * run again from the start, on placements made afresh, up to `retries` times. Other failures are not
 * retried (user code is deterministic: it would fail the same way).
 */
import type { Reply } from '../../lib/activator.ts';
import { errorFromWire, errorToWire } from '../../lib/error-wire.ts';
import { codeOf, ErrorCode, SkyloomError } from '../../lib/errors.ts';
import type { Emit } from '../../lib/events.ts';
import type { MemberSpec } from '../../lib/journal.ts';
import { deepFreeze } from '../../lib/freeze.ts';
import type { FailurePolicy } from '../../lib/primitive.ts';
import type { StatsRecorder } from '../../lib/stats.ts';
import type { FailedArrival, GroupDriver, MemberArrival } from '../shared/group-driver.ts';
import { cutoffOptions } from '../shared/gather-cutoff.ts';
import { journalLayer, type GroupJournalAccess } from '../shared/journal-layer.ts';
import { runGroup } from '../shared/run-group.ts';

import type { Admission } from './admission.ts';
import type { HostHandle } from './host-handle.ts';
import type { HostPool } from './host-pool.ts';
import type { WirePause, WireReply, WireSpec } from './protocol.ts';
import { callToken, watchCall, type TimedCall } from './step-watchdog.ts';

export interface ClusterEnv {
  readonly pool: Pick<HostPool, 'place'>;
  readonly emit: Emit;
  readonly stats: StatsRecorder;
  readonly retries: number;
  /** The run's step timeout (ms), if it has one; a scatter's `stepTimeoutMs` overrides it for the groups under it. */
  readonly stepTimeoutMs?: number;
  /** The run's ledger, if it keeps one, with access to refs on the hosts. */
  readonly journal?: GroupJournalAccess;
  /** Lets the run's top-level members (`root/x:i`) in, a few at a time (`admission.ts`); absent: all at once. */
  readonly admission?: Admission;
}

/** Runs the group of `specs` (retrying it after a host loss), resolving with its outputs in member order. */
export async function runClusterGroup(
  env: ClusterEnv,
  specs: readonly WireSpec[],
  group: string,
  signal: AbortSignal,
  parent?: HostHandle,
  onFailure?: FailurePolicy,
  stepTimeoutMs = env.stepTimeoutMs,
): Promise<unknown[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      const layer = env.journal ? { layer: await journalLayer(env.journal, group, specs.map(memberSpec)) } : {};
      const policy = onFailure ? { onFailure } : {};
      return await runGroup(new ClusterGroupDriver(env, specs, signal, stepTimeoutMs), { group, concurrent: true, signal, emit: env.emit, stats: env.stats, ...layer, ...policy });
    } catch (error) {
      const retry = attempt <= env.retries && !signal.aborted && !parent?.lost && causedByHostLoss(error);
      if (!retry) throw error;
      env.emit({ type: 'warning', path: group, code: ErrorCode.HostLost, message: `group ${group} lost a worker host; running it again (retry ${attempt} of ${env.retries})` });
    }
  }
}

/** True when a lost host is somewhere in the error's `cause` chain. Never throws. */
export function causedByHostLoss(error: unknown): boolean {
  for (let e = error, depth = 0; e !== undefined && depth < 32; e = (e as { cause?: unknown }).cause, depth++) {
    if (codeOf(e) === ErrorCode.HostLost) return true;
    if (typeof e !== 'object' || e === null) return false;
  }
  return false;
}

interface Member {
  readonly host: HostHandle;
  readonly abort: AbortController;
  site: string;
  started: boolean;
  ended: boolean;
  /** A step of it runs on its host (still so after a cancel: the host finishes it). */
  stepping: boolean;
  /** It counts in its host's load: until it has ended and no step of it runs there. */
  counted: boolean;
  /** Lets `toCollective` go of the step in flight (set while one is). */
  interrupt?: () => void;
  /** It holds a slot of the run's admission (a top-level member, until it ends or first waits at a gather). */
  admitted: boolean;
}

class ClusterGroupDriver implements GroupDriver {
  readonly paths: readonly string[];
  readonly #env: ClusterEnv;
  readonly #specs: readonly WireSpec[];
  readonly #signal: AbortSignal;
  readonly #members: (Member | undefined)[];
  readonly #stepTimeoutMs: number | undefined;
  /** The admission its members wait for, when they are the run's top-level members and it limits anything. */
  readonly #admission: Admission | undefined;
  /** Members waiting to be admitted; aborted by `cancel`. */
  readonly #admitting = new Map<number, AbortController>();

  constructor(env: ClusterEnv, specs: readonly WireSpec[], signal: AbortSignal, stepTimeoutMs: number | undefined) {
    this.#env = env;
    const topLevel = specs[0] !== undefined && specs[0].path.split('/').length === 2;
    this.#admission = topLevel && env.admission?.limits ? env.admission : undefined;
    this.#stepTimeoutMs = stepTimeoutMs;
    this.#specs = specs;
    this.#signal = signal;
    this.paths = specs.map((s) => s.path);
    this.#members = specs.map(() => undefined);
  }

  async toCollective(i: number, reply: Reply): Promise<MemberArrival> {
    const admitted = this.#members[i] === undefined && this.#admission ? await this.#admit(i) : false;
    if (admitted === undefined) return { kind: 'cancelled' };
    let member: Member;
    try {
      member = this.#members[i] ??= { host: this.#env.pool.place(), abort: new AbortController(), site: 'start', started: false, ended: false, stepping: false, counted: true, admitted };
    } catch (error) {
      this.#letGo(i, admitted, true);
      return { kind: 'failed', error, site: 'start' };
    }
    let next = toWire(reply);
    for (;;) {
      const pause = await this.#step(i, member, next);
      if (!pause || (member.ended && pause.kind !== 'failed')) return { kind: 'cancelled' };
      member.site = pause.site;
      if (pause.kind === 'returned' || pause.kind === 'failed') {
        this.#end(member);
        return pause.kind === 'returned' ? { kind: 'returned', value: deepFreeze(pause.value), site: pause.site } : { kind: 'failed', error: errorFromWire(pause.error), site: pause.site };
      }
      if (pause.kind === 'gather') {
        this.#letGo(i, member.admitted, false); // its group's collective needs the members not yet admitted
        member.admitted = false;
        const { value, centralSite, perMember, site, quorum, deadlineMs } = pause;
        return { kind: 'gather', value: deepFreeze(value), centralSite, perMember, site, ...cutoffOptions(quorum, deadlineMs) };
      }
      next = await this.#scatter(member, pause);
    }
  }

  async central(values: unknown[], members: readonly number[]): Promise<Reply> {
    const first = members[0] as number;
    const owner = this.#members[first];
    const path = this.paths[first] as string;
    const call = { path, site: owner?.site ?? 'start', kind: 'central' } as const;
    const unwatch = owner ? this.#watch(owner.host, call) : undefined;
    try {
      if (!owner) throw new SkyloomError(ErrorCode.Cancelled, `${path} holds no central function`);
      const reply: WireReply = await owner.host.call((api) => api.central(path, values, members) as Promise<never>);
      return reply.ok ? { ok: true, value: deepFreeze(reply.value) } : { ok: false, error: errorFromWire(reply.error) };
    } catch (error) {
      return { ok: false, error: owner ? (owner.host.culpritError(callToken(call), path) ?? this.#lostUnit(first, owner, error)) : error };
    } finally {
      unwatch?.();
    }
  }

  async cancel(i: number): Promise<void> {
    this.#admitting.get(i)?.abort();
    const member = this.#members[i];
    if (!member || member.ended) return;
    this.#end(member);
    member.abort.abort();
    member.interrupt?.();
    if (!member.started || member.host.lost) return;
    // The host carries out the cancel after any step of the unit it is running.
    await member.host.call((api) => api.cancel(this.paths[i] as string)).catch(() => {});
  }

  watchWaiting(i: number, onFailed: (arrival: FailedArrival) => void): () => void {
    const member = this.#members[i];
    if (!member || member.ended) return () => {};
    return member.host.watchLoss((lost) => {
      if (member.ended) return;
      this.#end(member);
      onFailed({ kind: 'failed', error: this.#lostUnit(i, member, lost), site: member.site });
    });
  }

  /**
   * Steps the member on its host; undefined when it was cancelled meanwhile (the step may still run
   * there). One promise per step and callbacks for the rest: a phase makes one of these per member
   * (thousands), and each promise, race and closure more lived as long as the phase on the
   * coordinator's young generation.
   */
  #step(i: number, member: Member, reply: WireReply): Promise<WirePause | undefined> {
    const spec = this.#specs[i];
    const path = this.paths[i] as string;
    const request = member.started || !spec ? { path, reply } : { path, reply, spec };
    member.started = true;
    member.stepping = true;
    const call = { path, site: member.site, kind: 'step' } as const;
    const unwatch = this.#stepTimeoutMs === undefined ? undefined : member.host.stepWatch.watch(call, this.#stepTimeoutMs);
    return new Promise<WirePause | undefined>((resolve) => {
      let settled = false;
      const settle = (pause: WirePause | undefined): void => {
        if (settled) return;
        settled = true;
        unwatch?.();
        delete member.interrupt;
        resolve(pause);
      };
      member.interrupt = () => settle(undefined);
      const answered = (): void => {
        member.stepping = false;
        this.#release(member);
      };
      member.host.step({
        request,
        resolve: (pause) => {
          answered();
          settle(pause);
        },
        reject: (error) => {
          answered();
          if (settled) return;
          this.#end(member);
          // Stopped because of this very step (over its timeout, a memory storm): that error, not a loss.
          const own = member.host.culpritError(callToken(call), path);
          const failure = own ?? (member.host.lost ? this.#lostUnit(i, member, error) : answerLost(call, member.host.id, error));
          settle({ kind: 'failed', site: member.site, error: errorToWire(failure) });
        },
      });
    });
  }

  /** Times a call on `host` against this group's step timeout, if it has one; returns the function that stops timing. */
  #watch(host: HostHandle, call: TimedCall): () => void {
    return this.#stepTimeoutMs === undefined ? () => {} : watchCall(host, call, this.#stepTimeoutMs);
  }

  /**
   * Runs a scatter's children as their own group; the parent's host does no work meanwhile. If that
   * host is lost, the children are stopped at once: their outputs would have nowhere to go (the
   * parent's next step then fails with `SKY_HOST_LOST`).
   */
  async #scatter(member: Member, pause: Extract<WirePause, { kind: 'scatter' }>): Promise<WireReply> {
    member.host.load--;
    const orphaned = new AbortController();
    const unwatch = member.host.watchLoss(() => orphaned.abort());
    try {
      const signal = AbortSignal.any([this.#signal, member.abort.signal, orphaned.signal]);
      const outputs = await runClusterGroup(this.#env, pause.children, pause.group, signal, member.host, pause.onFailure, pause.stepTimeoutMs ?? this.#stepTimeoutMs);
      return { ok: true, value: outputs };
    } catch (error) {
      return { ok: false, error: errorToWire(error) };
    } finally {
      unwatch();
      member.host.load++;
    }
  }

  #end(member: Member): void {
    member.ended = true;
    this.#release(member);
    if (member.admitted) this.#letGo(this.#members.indexOf(member), true, true);
    member.admitted = false;
  }

  /** Waits until member i is admitted: true; undefined if it was cancelled or the group stopped first. */
  async #admit(i: number): Promise<true | undefined> {
    const abort = new AbortController();
    this.#admitting.set(i, abort);
    try {
      const admitted = await (this.#admission as Admission).acquire(this.paths[i] as string, i, AbortSignal.any([this.#signal, abort.signal]));
      return admitted ? true : undefined;
    } finally {
      this.#admitting.delete(i);
    }
  }

  /** Member i gives its admission slot back, if it holds one. */
  #letGo(i: number, admitted: boolean, ended: boolean): void {
    if (admitted) this.#admission?.release(this.paths[i] as string, ended);
  }

  #release(member: Member): void {
    if (!member.counted || !member.ended || member.stepping) return;
    member.counted = false;
    member.host.load--;
  }

  #lostUnit(i: number, member: Member, cause: unknown): SkyloomError {
    const path = this.paths[i] as string;
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new SkyloomError(ErrorCode.HostLost, `unit ${path} was hosted by worker host ${member.host.id}, which was lost (${reason})`, { unitPath: path, site: member.site, cause });
  }
}

/**
 * A call that failed while its host lives: the host's methods never reject, so its answer could not
 * cross the thread (comlink's "Unserializable return value"). Said with the unit, not as a lost host
 * (which a retry would run again, to fail the same way).
 */
function answerLost(call: TimedCall, hostId: number, cause: unknown): SkyloomError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const message = `unit ${call.path}: worker host ${hostId}'s answer to its step from ${call.site} could not cross to the coordinator (${reason})`;
  return new SkyloomError(ErrorCode.NotCloneable, message, { unitPath: call.path, site: call.site, cause });
}

function memberSpec(spec: WireSpec): MemberSpec {
  return { path: spec.path, index: spec.index, input: spec.input, algorithm: { moduleUrl: spec.moduleUrl, name: spec.name } };
}

function toWire(reply: Reply): WireReply {
  return reply.ok ? reply : { ok: false, error: errorToWire(reply.error) };
}
