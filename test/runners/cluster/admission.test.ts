import { describe, expect, it } from 'vitest';
import { run, type RunEvent } from '../../../lib/index.ts';
import { Admission } from '../../../runners/cluster/admission.ts';
import { clusterRunner, inlineRunner } from '../../../runners/index.ts';
import { admissionVisits, type AdmissionPlan } from './fixtures/admission-algorithms.ts';

const never = new AbortController().signal;

/** Acquires for each key in turn; returns which were admitted at once and the pending promises. */
function acquireAll(admission: Admission, keys: readonly string[], signal = never): { admitted: string[]; pending: Map<string, Promise<boolean>> } {
  const admitted: string[] = [];
  const pending = new Map<string, Promise<boolean>>();
  keys.forEach((key, index) => {
    const p = admission.acquire(key, index, signal);
    pending.set(key, p);
    void p.then((ok) => ok && admitted.push(key));
  });
  return { admitted, pending };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('admission of top-level members', () => {
  it('without maxInFlight or a budget it limits nothing', () => {
    expect(new Admission({ maxInFlight: undefined, budget: undefined, hosts: 2 }).limits).toBe(false);
  });

  it('lets at most maxInFlight in, then the lowest waiting index as each gives its slot back', async () => {
    const admission = new Admission({ maxInFlight: 2, budget: undefined, hosts: 2 });
    const a = acquireAll(admission, ['root/v:0', 'root/v:1']);
    const late = admission.acquire('root/v:3', 3, never);
    const early = admission.acquire('root/v:2', 2, never);
    await tick();
    expect(a.admitted).toEqual(['root/v:0', 'root/v:1']);
    const order: string[] = [];
    void late.then(() => order.push('root/v:3'));
    void early.then(() => order.push('root/v:2'));
    admission.release('root/v:0', true);
    await tick();
    expect(order).toEqual(['root/v:2']);
    admission.release('root/v:0', true); // idempotent: frees no second slot
    await tick();
    expect(order).toEqual(['root/v:2']);
    admission.release('root/v:1', false);
    await tick();
    expect(order).toEqual(['root/v:2', 'root/v:3']);
    expect(admission.peakInFlight).toBe(2);
  });

  it('answers false to a member whose signal aborts while it waits, and lets the next one in', async () => {
    const admission = new Admission({ maxInFlight: 1, budget: undefined, hosts: 1 });
    const stop = new AbortController();
    expect(await admission.acquire('root/v:0', 0, never)).toBe(true);
    const cancelled = admission.acquire('root/v:1', 1, stop.signal);
    const next = admission.acquire('root/v:2', 2, never);
    stop.abort();
    expect(await cancelled).toBe(false);
    admission.release('root/v:0', true);
    expect(await next).toBe(true);
  });

  it('under a budget, before any has ended: the next only once every one in flight has settled, and at most twice the hosts', async () => {
    const admission = new Admission({ maxInFlight: undefined, budget: 100, hosts: 1 });
    const { admitted } = acquireAll(admission, ['root/v:0', 'root/v:1', 'root/v:2', 'root/v:3']);
    await tick();
    expect(admitted).toEqual(['root/v:0']); // v:0 has shown nothing yet
    admission.collectiveCompleted('root/v:1/sensor'); // not in flight: changes nothing
    admission.collectiveCompleted('root/v:0/sensor/part'); // a collective of v:0's descendants: it settled (holding nothing so far)
    await tick();
    expect(admitted).toEqual(['root/v:0', 'root/v:1']);
    admission.collectiveCompleted('root/v:1/sensor');
    await tick();
    expect(admitted).toEqual(['root/v:0', 'root/v:1']); // twice the hosts (1) are in flight
    admission.release('root/v:0', false); // waits at a gather of its own group: its slot goes to the next
    await tick();
    expect(admitted).toEqual(['root/v:0', 'root/v:1', 'root/v:2']);
  });

  it('under a budget: only what the budget has room for, by the most one member held', async () => {
    const admission = new Admission({ maxInFlight: undefined, budget: 10, hosts: 2 });
    const { admitted } = acquireAll(admission, ['root/v:0', 'root/v:1', 'root/v:2', 'root/v:3', 'root/v:4', 'root/v:5']);
    admission.observe(0, { 'root/v:0': 2, root: 1 }); // the root's own bytes are no visit's
    admission.observe(1, { 'root/v:0': 1 }); // v:0 holds 3 over both hosts
    admission.collectiveCompleted('root/v:0/sensor');
    await tick();
    expect(admission.estimate).toBe(3);
    expect(admitted).toEqual(['root/v:0', 'root/v:1']); // held 4, + 3 for v:1 ≤ 10; then v:1 may grow to 3: 7, + 3 ≤ 10 but v:1 has not settled
    admission.collectiveCompleted('root/v:1/sensor');
    await tick();
    expect(admitted).toEqual(['root/v:0', 'root/v:1', 'root/v:2']); // 4 + 3 = 7, + 3 ≤ 10; then 10 + 3 > 10
    admission.observe(0, { root: 1 }); // v:0's data freed, but it is still in flight: it may grow again
    admission.observe(1, {});
    admission.release('root/v:0', true);
    await tick();
    expect(admitted).toEqual(['root/v:0', 'root/v:1', 'root/v:2', 'root/v:3']); // 1 + 3 + 3 = 7, + 3 ≤ 10 (one has ended: no need to settle)
    admission.observe(1, { 'root/v:2': 5 }); // v:2 outgrows the estimate: the estimate is raised
    expect(admission.estimate).toBe(5);
    admission.release('root/v:1', true);
    await tick();
    expect(admitted).toHaveLength(4); // held 1 + 5, + v:3 may grow to 5 = 11, + 5 > 10
    admission.observe(1, {});
    admission.release('root/v:2', true);
    admission.release('root/v:3', true);
    await tick();
    expect(admitted).toEqual(['root/v:0', 'root/v:1', 'root/v:2', 'root/v:3', 'root/v:4']); // none in flight; then 1 + 5 + 5 > 10: v:5 waits
  });

  it('always admits one member when none is in flight, even if one needs more than the budget', async () => {
    const admission = new Admission({ maxInFlight: undefined, budget: 10, hosts: 1 });
    expect(await admission.acquire('root/v:0', 0, never)).toBe(true);
    admission.observe(0, { 'root/v:0': 50 });
    admission.observe(0, {});
    admission.release('root/v:0', true);
    expect(await admission.acquire('root/v:1', 1, never)).toBe(true);
    let third = false;
    void admission.acquire('root/v:2', 2, never).then((ok) => (third = ok));
    await tick();
    expect(third).toBe(false);
    admission.release('root/v:1', true);
    await tick();
    expect(third).toBe(true);
  });

  it('counts a workload whose members hold nothing as fitting once one has ended', async () => {
    const admission = new Admission({ maxInFlight: undefined, budget: 10, hosts: 1 });
    const { admitted } = acquireAll(admission, ['root/v:0', 'root/v:1', 'root/v:2', 'root/v:3', 'root/v:4']);
    await tick();
    expect(admitted).toEqual(['root/v:0']);
    admission.release('root/v:0', true);
    await tick();
    expect(admitted).toEqual(['root/v:0', 'root/v:1', 'root/v:2', 'root/v:3', 'root/v:4']);
  });
});

/** Most top-level members in flight at once, read from the run's events (from each one's start to its end). */
function inFlight(events: readonly RunEvent[]): { peak: number } {
  const topLevel = (e: RunEvent): boolean => 'path' in e && /^root\/visit:\d+$/.test(e.path as string);
  let now = 0;
  let peak = 0;
  for (const e of events) {
    if (!topLevel(e)) continue;
    if (e.type === 'unit-started') {
      now++;
      peak = Math.max(peak, now);
    } else if (e.type === 'unit-finished' || e.type === 'unit-failed' || e.type === 'unit-cancelled') {
      now--;
    }
  }
  return { peak };
}

describe('clusterRunner admission (2 workers)', () => {
  it('with maxInFlight: 1 runs one visit at a time, to the inline runner’s outputs', async () => {
    const plan: AdmissionPlan = { visits: 4, sensors: 3, bytes: 8 * 1024, rounds: 2 };
    const expected = (await run(admissionVisits, plan, { runner: inlineRunner(), seed: 5 })).output;
    const got = await run(admissionVisits, plan, { runner: clusterRunner({ workers: 2, maxInFlight: 1 }), seed: 5 });
    expect(got.output).toEqual(expected);
    expect(inFlight(got.events).peak).toBe(1);
    const free = await run(admissionVisits, plan, { runner: clusterRunner({ workers: 2 }), seed: 5 });
    expect(free.output).toEqual(expected);
    expect(inFlight(free.events).peak).toBe(4); // without it every visit starts at once
  });

  it('under a memory budget lets in only the visits the budget has room for, to the same outputs', async () => {
    // A visit holds 3 × 256 KiB; the budget (2 MiB) has room for two in flight, not three.
    const plan: AdmissionPlan = { visits: 8, sensors: 3, bytes: 256 * 1024, rounds: 3 };
    const expected = (await run(admissionVisits, plan, { runner: inlineRunner(), seed: 6 })).output;
    const got = await run(admissionVisits, plan, { runner: clusterRunner({ workers: 2, memoryBudget: 2 * 1024 * 1024 }), seed: 6 });
    expect(got.output).toEqual(expected);
    const seen = inFlight(got.events);
    expect(seen.peak).toBe(2); // without admission every visit starts at once (the test above); the budget is a whole run's, so a host whose share places more sensors may still spill a little
  });

  it('rejects a maxInFlight that is not a positive integer when the runner is made', () => {
    for (const bad of [0, 1.5, -1, Number.NaN]) expect(() => clusterRunner({ maxInFlight: bad })).toThrow(expect.objectContaining({ code: 'SKY_INVALID_ARGUMENT' }));
  });
});
