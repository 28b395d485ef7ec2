/**
 * The plain data that crosses between the coordinator (main thread) and a worker host. Everything here
 * survives structured clone: algorithms travel as `moduleUrl` + `name`, errors as `WireError`, and every
 * host answer carries the events and stats its units produced since its previous answer.
 *
 * It does not cover the transport (comlink over MessagePorts) nor thread lifetime (piscina).
 */
import type { WireError } from '../../lib/error-wire.ts';
import type { FailurePolicy } from '../../lib/primitive.ts';
import type { PrimitiveCount } from '../../lib/stats.ts';
import type { WireEvents } from './wire-events.ts';

/** A unit to start on a host: what `UnitSpec` is, with the algorithm as a module address. */
export interface WireSpec {
  readonly moduleUrl: string;
  readonly name: string;
  readonly input: unknown;
  readonly path: string;
  readonly index: number;
  readonly size: number;
}

export type WireReply = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: WireError };

export type WirePause =
  | {
      readonly kind: 'scatter';
      readonly site: string;
      readonly group: string;
      readonly children: readonly WireSpec[];
      readonly onFailure?: FailurePolicy;
      readonly stepTimeoutMs?: number;
    }
  | {
      readonly kind: 'gather';
      readonly site: string;
      readonly value: unknown;
      readonly centralSite: string;
      readonly perMember: boolean;
      readonly quorum?: number;
      readonly deadlineMs?: number;
    }
  | { readonly kind: 'returned'; readonly site: string; readonly value: unknown }
  | { readonly kind: 'failed'; readonly site: string; readonly error: WireError };

/** Counters a host bumped since its previous answer. */
export interface StatsDelta {
  readonly units: number;
  readonly primitives: Readonly<Record<PrimitiveCount, number>>;
  /** Most bytes one step on the host had in hand (see `RunStats.peakStepBytes`). */
  readonly peakStepBytes: number;
}

/** Every host answer: the result plus what the host has to report. */
export interface HostAnswer<T> {
  readonly result: T;
  /** Its events since its previous answer, compact (`wire-events.ts`). */
  readonly events: WireEvents;
  readonly stats: StatsDelta;
  /** Most bytes the host's store has held at once. */
  readonly peakBytes: number;
  /** A budgeted host's store: resident bytes by root child now (`resident-by-unit.ts`), for admission. */
  readonly resident?: Readonly<Record<string, number>>;
}

/** One unit step the coordinator asks of a host: start the unit (with `spec`) or resume it with `reply`. */
export interface StepRequest {
  readonly path: string;
  readonly reply: WireReply;
  readonly spec?: WireSpec;
}

/** What a host runs for the coordinator (exposed with comlink on the host port). */
export interface HostApi {
  /**
   * Runs each requested unit, one after the other, to its next scatter, gather or end; answers their
   * pauses in request order. The coordinator sends every step of a phase that goes to one host in one
   * call: a message each way per host per phase, not per member (see `step-batch.ts`).
   */
  steps(requests: readonly StepRequest[]): Promise<HostAnswer<WirePause[]>>;
  /** Runs the central function `path` holds at its current gather on `values`, the gathered values of `members`. */
  central(path: string, values: readonly unknown[], members: readonly number[]): Promise<HostAnswer<WireReply>>;
  cancel(path: string): Promise<HostAnswer<null>>;
  /** A copy of the value behind a ref this host owns, with its buffers transferred (not cloned), or the store's error. */
  read(refId: string): Promise<WireReply>;
  /** Puts a value (read back from the run ledger on resume) into this host's store; answers its ref. */
  adopt(value: unknown): Promise<WireReply>;
  /** Closes the host's store; the host's piscina task ends right after it answers. */
  shutdown(): Promise<HostAnswer<null>>;
}

/** What the coordinator runs for hosts (exposed with comlink on the coordinator port). */
export interface CoordinatorApi {
  /** The value behind a ref owned by another host, moved by transfer, or why it cannot be had. */
  fetch(refId: string): Promise<WireReply>;
}

/** Settings of one host, sent with its piscina task. */
export interface HostConfig {
  readonly hostId: number;
  /** How the host names itself in its events' `origin` (the report's timeline lanes); default `worker <hostId>`. */
  readonly label?: string;
  readonly seed: number;
  readonly verify: boolean;
  /** Per-host store budget in bytes; undefined for an unbounded `MemoryStore`. */
  readonly memoryBudget?: number;
  /** Where this host's spill files go (with a budget). */
  readonly spillDir: string;
  /**
   * Modules to start loading as the host opens (the run's root algorithm module): a host otherwise
   * loads a module only when its first unit arrives, and its siblings then wait for it at their first
   * gather (measured: ~170 ms of a 2-host focal-plane run).
   */
  readonly preload?: readonly string[];
}

/** Ref ids of host N start with `h<N>-`, so any thread can tell which host owns a ref. */
export function refPrefix(hostId: number): string {
  return `h${hostId}-`;
}

/** The host that owns `refId`, or undefined for an id no host made. Never throws. */
export function ownerOf(refId: string): number | undefined {
  const m = /^h(\d+)-/.exec(refId);
  return m ? Number(m[1]) : undefined;
}
