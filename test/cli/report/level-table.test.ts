import { describe, expect, it } from 'vitest';
import { labelOf, levelTable, unionLength } from '../../../cli/report/level-table.ts';

describe('the per-level table', () => {
  it('counts time covered by overlapping units once, not their sum', () => {
    expect(unionLength([[0, 10], [5, 15], [20, 30], [21, 22]])).toBe(25);
    expect(unionLength([[3, 4]])).toBe(1);
    expect(unionLength([])).toBe(0);
    const rows = levelTable([
      { path: 'root', status: 'failed', attempts: 2, started: 0, ended: 100 },
      { path: 'root/visit:0', status: 'finished', attempts: 1, started: 0, ended: 60 },
      { path: 'root/visit:1', status: 'failed', attempts: 2, started: 40, ended: 90 },
      { path: 'root/visit:2', status: 'running', attempts: 1, started: 95, ended: null },
    ]);
    expect(rows).toEqual([
      { depth: 0, label: 'root', units: 1, spanMs: 100, longestMs: 100, attempts: 2, failures: 1 },
      { depth: 1, label: 'visit', units: 3, spanMs: 90, longestMs: 60, attempts: 4, failures: 1 },
    ]);
  });

  it('names a level by its units’ labels without their indices', () => {
    expect(labelOf('root/visit:3/sensor:12')).toBe('sensor');
    expect(labelOf('root/visit:3/sensor#2:0')).toBe('sensor#2');
    expect(labelOf('root')).toBe('root');
  });
});
