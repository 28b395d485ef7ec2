import { describe, expect, it } from 'vitest';
import { assignLanes } from '../../../cli/report/lanes.ts';

const step = (host: string | null, start: number, end: number): { host: string | null; start: number; end: number } => ({ host, start, end });

describe('timeline lanes', () => {
  it('gives each host/thread one lane, the main thread first and workers in numeric order', () => {
    const lanes = assignLanes([step('worker 10', 0, 5), step('main thread', 0, 50), step('worker 2', 1, 3), step('worker 10', 6, 9), step('worker 2', 4, 7)]);
    expect(lanes.labels).toEqual(['main thread', 'worker 2', 'worker 10']);
    expect(lanes.of).toEqual([2, 0, 1, 2, 1]);
  });

  it('keeps a host’s steps that never overlap in its lane and puts overlapping ones in further lanes of that host', () => {
    expect(assignLanes([step('main thread', 0, 5), step('main thread', 5, 9), step('main thread', 9, 9)])).toEqual({ of: [0, 0, 0], labels: ['main thread'] });
    const lanes = assignLanes([step('main thread', 0, 10), step('main thread', 2, 4), step('main thread', 3, 8), step('main thread', 5, 6), step('worker 1', 2, 4)]);
    expect(lanes.labels).toEqual(['main thread', 'main thread · 2', 'main thread · 3', 'worker 1']);
    expect(lanes.of).toEqual([0, 1, 2, 1, 3]);
  });

  it('packs steps with no recorded host (an older ledger) into lanes of their own', () => {
    const lanes = assignLanes([step(null, 0, 10), step(null, 2, 4)]);
    expect(lanes).toEqual({ of: [0, 1], labels: ['thread', 'thread · 2'] });
  });
});
