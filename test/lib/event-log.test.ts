import { describe, expect, it } from 'vitest';
import { EventLog } from '../../lib/event-log.ts';
import type { RunEvent, RunEventBody } from '../../lib/events.ts';

const bodies: RunEventBody[] = [
  { type: 'unit-started', path: 'root' },
  { type: 'unit-paused', path: 'root', site: 'scatter at a.ts:1' },
  { type: 'memory', resident: 10, spilled: 0, budget: 100, held: 4 },
  { type: 'unit-resumed', path: 'root', site: 'scatter at a.ts:1' },
  { type: 'unit-finished', path: 'root' },
];

describe('the event log', () => {
  it('tells a tap of every event as it is emitted: the very body given (no copy is made) and its t, in order, past the window’s bound', () => {
    const log = new EventLog({ events: 2, bytes: 1 << 20 });
    const told: [RunEventBody, number][] = [];
    log.tap((body, t) => told.push([body, t]));
    for (const body of bodies) log.emit(body);
    expect(told).toHaveLength(bodies.length);
    told.forEach(([body, t], i) => {
      expect(body).toBe(bodies[i]);
      expect(t).toBeGreaterThanOrEqual(i === 0 ? 0 : (told[i - 1] as [RunEventBody, number])[1]);
    });
    // The kept window (the last two) carries the same t as the tap was told.
    expect(log.kept().map((e) => e.t)).toEqual(told.slice(-2).map(([, t]) => t));
  });

  it('gives subscribers and kept() the same events with a tap as without one', () => {
    const emitAll = (withTap: boolean): { live: RunEvent[]; kept: readonly RunEvent[] } => {
      const log = new EventLog({ events: 100, bytes: 1 << 20 });
      if (withTap) log.tap(() => {});
      const live: RunEvent[] = [];
      log.stream.subscribe((e) => live.push(e));
      for (const body of bodies) log.emit(body);
      return { live, kept: log.kept() };
    };
    const strip = (events: readonly RunEvent[]): unknown[] => events.map(({ t: _t, ...body }) => body);
    for (const withTap of [false, true]) {
      const { live, kept } = emitAll(withTap);
      expect(strip(live)).toEqual(bodies);
      expect(kept).toEqual(live);
    }
  });

  it('keeps a cluster host\'s step events with their origin, and gives them back as they were emitted', () => {
    const log = new EventLog({ events: 100, bytes: 1 << 20 });
    const stamped: RunEventBody[] = [
      { type: 'unit-paused', path: 'root/s:0', site: 'gather#1', origin: { host: 'worker 1', at: 1765000000123.25 } },
      { type: 'unit-resumed', path: 'root/s:0', site: 'gather#1' },
      { type: 'unit-resumed', path: 'root/s:1', site: 'gather#1', origin: { host: 'worker 0', at: 1765000000124.5 } },
      { type: 'unit-finished', path: 'root/s:1', origin: { host: 'worker 0', at: 1765000000125 } },
    ];
    for (const body of stamped) log.emit(body);
    expect(log.kept().map(({ t: _t, ...body }) => body)).toEqual(stamped);
  });
});
