import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { RunEventBody } from '../../../lib/events.ts';
import { HostEventReader, HostEvents } from '../../../runners/cluster/wire-events.ts';

describe('HostEvents and HostEventReader', () => {
  it('carry every kind of event across a structured clone and emit each once, in order, with its origin', () => {
    const bodies: RunEventBody[] = [
      { type: 'unit-started', path: 'root/s:0' },
      { type: 'unit-paused', path: 'root/s:0', site: 'gather#1' },
      { type: 'unit-resumed', path: 'root/s:0', site: 'gather#1' },
      { type: 'log', path: 'root/s:0', message: 'hello' },
      { type: 'spill-out', ref: 'h1-3', bytes: 4096, path: 'root/s:1' },
      { type: 'unit-failed', path: 'root/s:1', site: 'put#2', code: 'SKY_X', message: 'no' },
      { type: 'unit-cancelled', path: 'root/s:2' },
      { type: 'memory', resident: 1, spilled: 2, budget: 3, host: 1, units: { 'root/s:0': 1 } },
      { type: 'unit-finished', path: 'root/s:0' },
    ];
    const before = Date.now();
    const host = new HostEvents('worker 1');
    for (const body of bodies) host.emit(body);
    const wire = deserialize(serialize(host.drain()));
    const emitted: RunEventBody[] = [];
    new HostEventReader().emit(wire, (e: RunEventBody) => emitted.push(e));

    expect(emitted.map(({ origin, ...body }) => body)).toEqual(bodies);
    const ats = emitted.map((e) => e.origin?.at as number);
    expect(emitted.every((e) => e.origin?.host === 'worker 1')).toBe(true);
    expect(ats.every((at, k) => at >= before - 5 && at <= Date.now() + 5 && (k === 0 || at >= (ats[k - 1] as number)))).toBe(true);
    // Unit events carry only what they had: no `site` key on started, finished, cancelled.
    expect(Object.keys(emitted[0] as object).sort()).toEqual(['origin', 'path', 'type']);
  });

  it('sends each path and site once per answer, and the reader gives every event of a unit the same path string across answers', () => {
    const host = new HostEvents('worker 0');
    const reader = new HostEventReader();
    const emitted: RunEventBody[] = [];
    for (let round = 0; round < 2; round++) {
      for (const path of ['root/s:0', 'root/s:1']) {
        host.emit({ type: 'unit-resumed', path: `${path}`, site: 'gather#1' });
        host.emit({ type: 'unit-paused', path, site: 'gather#1' });
      }
      const wire = deserialize(serialize(host.drain())) as ReturnType<HostEvents['drain']>;
      expect([...wire.strings].sort()).toEqual(['gather#1', 'root/s:0', 'root/s:1']);
      reader.emit(wire, (e) => emitted.push(e));
    }
    expect(emitted.map((e) => (e as { path: string }).path)).toEqual(Array.from({ length: 2 }, () => ['root/s:0', 'root/s:0', 'root/s:1', 'root/s:1']).flat());
  });

  it('hands each event over once: a drain leaves nothing behind', () => {
    const host = new HostEvents('worker 0');
    host.emit({ type: 'unit-started', path: 'root' });
    expect(host.drain().at.length).toBe(1);
    const again = host.drain();
    expect(again.at.length).toBe(0);
    expect(again.codes.length).toBe(0);
    expect(again.strings).toEqual([]);
  });
});
