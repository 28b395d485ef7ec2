/**
 * One worker host: the units placed on this thread, their store, and the answers to the coordinator.
 * `step` resumes a unit (loading its algorithm by module and name on its first step) and runs it to
 * its next scatter, gather or end; `central` runs the central function a unit holds at its gather.
 * Values leaving the thread are checked with `findUncloneable` first: an uncloneable scatter input or
 * gathered value is thrown into the unit at that primitive; an uncloneable output fails the unit.
 * The handles of this host's refs found in a leaving value are kept (`EscapedRefs`), so the store
 * frees what never left the thread once it is dropped, and never what another thread may read.
 *
 * It knows nothing of groups, placement or other hosts (refs of other hosts come through `fetch`).
 * No method rejects: failures are answers.
 */
import type { Reply } from '../../lib/activator.ts';
import type { Algorithm } from '../../lib/algorithm.ts';
import { centralSite } from '../../lib/central-site.ts';
import { findUncloneable } from '../../lib/clone-check.ts';
import { errorFromWire, errorToWire } from '../../lib/error-wire.ts';
import { cancelled, ErrorCode, SkyloomError } from '../../lib/errors.ts';
import type { RunEventBody } from '../../lib/events.ts';
import { deepFreeze } from '../../lib/freeze.ts';
import { MemoryStore } from '../../lib/memory/memory-store.ts';
import type { Central } from '../../lib/primitive.ts';
import { makeRef } from '../../lib/ref.ts';
import { StatsRecorder } from '../../lib/stats.ts';
import type { Store } from '../../lib/store.ts';
import { Unit, type UnitEnv, type UnitSpec } from '../../lib/unit.ts';
import { cutoffOptions } from '../shared/gather-cutoff.ts';
import { notCloneable } from '../shared/not-cloneable.ts';
import { EscapedRefs } from './escaped-refs.ts';
import type { HostGauge } from './host-gauge.ts';
import { HostStore } from './host-store.ts';
import { ResidentByUnit } from './resident-by-unit.ts';
import { loadAlgorithm } from './load-algorithm.ts';
import { refPrefix, type HostAnswer, type HostConfig, type StatsDelta, type StepRequest, type WirePause, type WireReply, type WireSpec } from './protocol.ts';
import { copyForTransfer, type Transferable } from './transfer-copy.ts';
import { HostEvents } from './wire-events.ts';

export class Host {
  readonly #config: HostConfig;
  readonly #store: HostStore;
  readonly #env: UnitEnv;
  readonly #units = new Map<string, Unit>();
  readonly #centrals = new Map<string, Central>();
  readonly #events: HostEvents;
  readonly #stats = new StatsRecorder();
  /** Handles of this host's refs that left the thread: kept so the store frees only the rest. */
  readonly #escaped: EscapedRefs;
  /** Shared with the coordinator (worker threads only): which step runs since when. */
  readonly #gauge: HostGauge | undefined;
  readonly #byUnit: ResidentByUnit | undefined;
  #reads = 0;
  #turn: Promise<void> = Promise.resolve();

  /** Opens the host's own store (a budgeted one when the config has a budget). */
  static async open(config: HostConfig, fetch: (refId: string) => Promise<unknown>, gauge?: HostGauge): Promise<Host> {
    // Kept with their origin (this host, and when on its clock): the coordinator emits them when the answer arrives.
    const events = new HostEvents(config.label ?? `worker ${config.hostId}`);
    const byUnit = config.memoryBudget === undefined ? undefined : new ResidentByUnit(config.hostId);
    const { emit } = events;
    const own = await openOwnStore(config, (e) => emit(byUnit ? byUnit.tag(e) : e), byUnit);
    return new Host(config, new HostStore(own, refPrefix(config.hostId), fetch, config.verify, byUnit), events, gauge, emit, byUnit);
  }

  private constructor(config: HostConfig, store: HostStore, events: HostEvents, gauge: HostGauge | undefined, emit: (e: RunEventBody) => void, byUnit: ResidentByUnit | undefined) {
    this.#config = config;
    this.#byUnit = byUnit;
    this.#gauge = gauge;
    this.#store = store;
    this.#escaped = new EscapedRefs(refPrefix(config.hostId));
    this.#events = events;
    this.#env = { seed: config.seed, store, emit, stats: this.#stats };
  }

  /**
   * Steps run one at a time on a host, as in laptop mode: the thread could not run two at once anyway,
   * and a memory budget then bounds what one step pins, not what interleaved steps pin together.
   *
   * The answer carries the pauses of the requests in order; it comes back early, with fewer pauses,
   * right after a step that reached a gather with a `quorum` or `deadlineMs`: that member's arrival
   * must reach the coordinator when it happens, not when a slower step later in the batch ends (which
   * would make it late). The coordinator sends the rest again (`step-batch.ts`).
   */
  async steps(requests: readonly StepRequest[]): Promise<HostAnswer<WirePause[]>> {
    const turn = this.#turn.then(async () => {
      const pauses: WirePause[] = [];
      for (const { path, reply, spec } of requests) {
        const pause = await this.#step(path, reply, spec);
        pauses.push(pause);
        if (pause.kind === 'gather' && (pause.quorum !== undefined || pause.deadlineMs !== undefined)) break;
      }
      return pauses;
    });
    this.#turn = turn.then(noop, noop);
    return this.#answer(await turn);
  }

  async central(path: string, values: readonly unknown[], members: readonly number[]): Promise<HostAnswer<WireReply>> {
    return this.#answer(await this.#central(path, values, members));
  }

  async cancel(path: string): Promise<HostAnswer<null>> {
    const unit = this.#units.get(path);
    this.#forget(path);
    await unit?.cancel();
    return this.#answer(null);
  }

  /** A transferable copy of a ref this host owns (for a unit on another host). Rejects with the store's error. */
  async read(refId: string): Promise<Transferable> {
    const borrower = { path: `host:${this.#config.hostId}/read#${++this.#reads}` };
    await this.#store.beginStep(borrower);
    try {
      const value = await this.#store.get(makeRef(refId, 0), borrower);
      // `put` refuses what cannot cross; checked again here so a reader gets a typed error, not comlink's.
      const bad = findUncloneable(value, `ref ${refId}`);
      if (bad) throw new SkyloomError(ErrorCode.NotCloneable, `${bad.path} is ${bad.what}, which cannot cross to another worker thread`, { ref: refId });
      return copyForTransfer(this.#escaped.keep(value));
    } finally {
      this.#store.endStep(borrower);
    }
  }

  /** Puts `value` into this host's store for the coordinator (a resumed run's recalled outputs). No rejection: failures are answers. */
  async adopt(value: unknown): Promise<WireReply> {
    const borrower = { path: `host:${this.#config.hostId}/adopt#${++this.#reads}` };
    try {
      return { ok: true, value: this.#escaped.keep(await this.#store.put(deepFreeze(value), borrower)) };
    } catch (error) {
      return { ok: false, error: errorToWire(error) };
    } finally {
      this.#store.endStep(borrower);
    }
  }

  async shutdown(): Promise<HostAnswer<null>> {
    for (const path of [...this.#units.keys()]) await this.cancel(path);
    await this.#store.close();
    this.#escaped.clear();
    return this.#answer(null);
  }

  async #step(path: string, wireReply: WireReply, spec?: WireSpec): Promise<WirePause> {
    const unit = this.#units.get(path) ?? (spec ? await this.#start(spec) : undefined);
    if (!unit) return { kind: 'failed', site: 'start', error: errorToWire(cancelled(path)) };
    // Marked on the gauge while it runs, so the coordinator times the step from its real start: not
    // while it waits its turn, nor while its module loads (a first step waits for the thread's imports).
    this.#gauge?.beginStep(path);
    try {
      return await this.#advance(unit, path, replyFromWire(wireReply));
    } finally {
      this.#gauge?.endStep();
    }
  }

  async #advance(unit: Unit, path: string, first: Reply): Promise<WirePause> {
    let reply = first;
    for (;;) {
      const pause = await unit.advance(reply);
      if (pause.kind === 'returned' || pause.kind === 'failed') {
        this.#forget(path);
        const bad = pause.kind === 'returned' ? findUncloneable(pause.value, 'output') : undefined;
        if (bad) return { kind: 'failed', site: pause.site, error: errorToWire(notCloneable(path, pause.site, bad)) };
        if (pause.kind === 'failed') return { kind: 'failed', site: pause.site, error: errorToWire(pause.error) };
        return { kind: 'returned', site: pause.site, value: this.#escaped.keep(pause.value) };
      }
      const bad = pause.kind === 'gather' ? findUncloneable(pause.op.value, 'gathered value') : findUncloneable(pause.op.inputs, 'scatter inputs');
      if (bad) {
        reply = { ok: false, error: notCloneable(path, pause.site, bad) };
        continue;
      }
      if (pause.kind === 'scatter') {
        const { onFailure, stepTimeoutMs } = pause.op;
        const options = { ...(onFailure ? { onFailure } : {}), ...(stepTimeoutMs === undefined ? {} : { stepTimeoutMs }) };
        return { kind: 'scatter', site: pause.site, group: pause.group, children: pause.children.map((c) => toWireSpec(c, this.#escaped)), ...options };
      }
      this.#centrals.set(path, pause.op.central);
      const { value, central, perMember, quorum, deadlineMs } = pause.op;
      return { kind: 'gather', site: pause.site, value: this.#escaped.keep(value), centralSite: centralSite(central), perMember, ...cutoffOptions(quorum, deadlineMs) };
    }
  }

  async #start(spec: WireSpec): Promise<Unit> {
    let algorithm: Algorithm<unknown, unknown>;
    try {
      algorithm = await loadAlgorithm(spec.moduleUrl, spec.name, spec.path);
    } catch (error) {
      algorithm = failingAlgorithm(spec, error); // the unit starts and fails at `start`, with its events
    }
    const unitSpec: UnitSpec = { algorithm, input: deepFreeze(spec.input), path: spec.path, index: spec.index, size: spec.size };
    const unit = new Unit(unitSpec, this.#env);
    this.#units.set(spec.path, unit);
    return unit;
  }

  async #central(path: string, values: readonly unknown[], members: readonly number[]): Promise<WireReply> {
    const fn = this.#centrals.get(path);
    try {
      if (!fn) throw new SkyloomError(ErrorCode.Cancelled, `unit ${path} no longer waits at a gather on this host`, { unitPath: path });
      const result = deepFreeze(await fn(deepFreeze(values), deepFreeze(members)));
      const bad = findUncloneable(result, 'central result');
      if (bad) throw notCloneable(path, 'central', bad);
      return { ok: true, value: this.#escaped.keep(result) };
    } catch (error) {
      return { ok: false, error: errorToWire(error) };
    }
  }

  #forget(path: string): void {
    this.#units.delete(path);
    this.#centrals.delete(path);
  }

  #answer<T>(result: T): HostAnswer<T> {
    const resident = this.#byUnit ? { resident: this.#byUnit.snapshot() } : {};
    return { result, events: this.#events.drain(), stats: this.#drainStats(), peakBytes: this.#store.peakBytes, ...resident };
  }

  #drainStats(): StatsDelta {
    const s = this.#stats;
    const delta = { units: s.units, primitives: { ...s.primitives }, peakStepBytes: s.peakStepBytes };
    s.units = 0;
    for (const kind of Object.keys(s.primitives) as (keyof typeof s.primitives)[]) s.primitives[kind] = 0;
    return delta;
  }
}

async function openOwnStore(config: HostConfig, emit: (e: RunEventBody) => void, byUnit: ResidentByUnit | undefined): Promise<Store> {
  const idPrefix = refPrefix(config.hostId);
  // Neither store frees on garbage collection; in verify mode both report a collected handle whose
  // value they still hold, so the host keeps the handles that left the thread (`EscapedRefs`).
  if (config.memoryBudget === undefined) return new MemoryStore({ verify: config.verify, idPrefix, emit });
  // Loaded only with a budget: the spill store's modules add ~15-20 ms to every host's start.
  const { BudgetedStore } = await import('../../lib/memory/budgeted-store.ts');
  const onLeave = byUnit ? { onLeave: (id: string, how: 'dropped' | 'freed') => (how === 'freed' ? byUnit.gone(id) : byUnit.dropped(id)) } : {};
  return BudgetedStore.open({ budget: config.memoryBudget, directory: config.spillDir, verify: config.verify, emit, idPrefix, ...onLeave });
}

function noop(): void {}

function replyFromWire(reply: WireReply): Reply {
  return reply.ok ? { ok: true, value: deepFreeze(reply.value) } : { ok: false, error: errorFromWire(reply.error) };
}

function toWireSpec(spec: UnitSpec, escaped: EscapedRefs): WireSpec {
  const { algorithm, input, path, index, size } = spec;
  return { moduleUrl: algorithm.moduleUrl, name: algorithm.name, input: escaped.keep(input), path, index, size };
}

function failingAlgorithm(spec: WireSpec, error: unknown): Algorithm<unknown, unknown> {
  // eslint-disable-next-line require-yield -- never runs past the throw
  const fn = async function* (): AsyncGenerator<never, never, unknown> {
    throw error;
  };
  return { $algorithm: true, moduleUrl: spec.moduleUrl, name: spec.name, fn: () => fn() };
}
