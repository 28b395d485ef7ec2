/**
 * The stragglers workload: V visits of S sensors, R rounds each; in every round a sensor burns CPU for
 * `unitMs × cost` (cost 1×–4×, seeded per visit and sensor: crowded fields, focus sensors), then
 * gathers a small value; the central step burns `centralMs` and combines the values; every sensor
 * folds the result into its state. The kernel is pure arithmetic in registers (no memory traffic), so
 * two threads never contend for anything but the cores. Each sensor reports the ms it spent in the
 * kernel (member 0 adds the central's), so utilisation is useful work over wall × workers.
 *
 * Shared by skyloom's algorithms below and the hand-written barrier baseline (`barrier-worker.mjs`).
 */
import { algorithm, gather, scatter } from '../../lib/index.ts';

export interface StragglerParams {
  readonly visits: number;
  readonly sensors: number;
  readonly rounds: number;
  /** Kernel iterations of a 1× sensor round, and of the central step. */
  readonly unitIterations: number;
  readonly centralIterations: number;
  readonly seed: number;
}

export interface SensorJob extends StragglerParams {
  readonly visit: number;
}

export interface SensorOutcome {
  readonly sensor: number;
  /** The sensor's final state: equal on every runner and in the baseline. */
  readonly state: number;
  readonly busyMs: number;
}

export interface VisitOutcome {
  readonly visit: number;
  readonly states: readonly number[];
  readonly busyMs: number;
}

/** A 32-bit hash of integers (murmur3-style). */
function mix(...parts: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h ^= Math.imul(part | 0, 0xcc9e2d51);
    h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

/** The sensor's cost factor in [1, 4], fixed per (seed, visit, sensor). */
export function sensorCost(seed: number, visit: number, sensor: number): number {
  return 1 + 3 * (mix(seed, visit, sensor) / 4294967296);
}

/** `iterations` of dependent floating-point arithmetic from `x`; deterministic. */
export function burn(x: number, iterations: number): number {
  let a = x % 1 || 0.5;
  for (let i = 0; i < iterations; i++) a = a * 3.999 * (1 - a) * 0.5 + 0.25;
  return a;
}

/** One sensor's work in one round: returns its new state and the kernel's ms. */
export function sensorRound(job: SensorJob, sensor: number, round: number, state: number): { state: number; ms: number } {
  const t0 = performance.now();
  const iterations = Math.round(job.unitIterations * sensorCost(job.seed, job.visit, sensor));
  const value = burn(state + round * 0.001 + sensor * 0.01, iterations);
  return { state: value, ms: performance.now() - t0 };
}

/** The central step: burns `centralIterations`, then combines the values in member order. */
export function centralRound(values: readonly number[], centralIterations: number): { value: number; ms: number } {
  const t0 = performance.now();
  let sum = burn(values.length * 0.01, centralIterations) * 1e-3;
  for (const v of values) sum = (sum * 31 + v) % 1;
  return { value: sum, ms: performance.now() - t0 };
}

/** The state after the central's result is folded in. */
export function applyCentral(state: number, central: number): number {
  return (state + central) % 1;
}

export const stragglerSensor = algorithm(import.meta.url, async function* stragglerSensor(ctx, job: SensorJob) {
  let state = 0.1 + ctx.index * 0.001;
  let busyMs = 0;
  for (let round = 0; round < job.rounds; round++) {
    const r = sensorRound(job, ctx.index, round, state);
    busyMs += r.ms;
    const central = yield* gather(r.state, (values: readonly number[]) => centralRound(values, job.centralIterations));
    if (ctx.index === 0) busyMs += central.ms; // the central ran once, for all
    state = applyCentral(r.state, central.value);
  }
  return { sensor: ctx.index, state, busyMs } satisfies SensorOutcome;
});

export const stragglerVisit = algorithm(import.meta.url, async function* stragglerVisit(_ctx, job: SensorJob) {
  const sensors = yield* scatter(stragglerSensor, Array.from({ length: job.sensors }, () => job), { label: 'sensor' });
  return { visit: job.visit, states: sensors.map((s) => s.state), busyMs: sensors.reduce((n, s) => n + s.busyMs, 0) } satisfies VisitOutcome;
});

export const stragglerVisits = algorithm(import.meta.url, async function* stragglerVisits(_ctx, params: StragglerParams) {
  return yield* scatter(stragglerVisit, Array.from({ length: params.visits }, (_, visit) => ({ ...params, visit })), { label: 'visit' });
});
