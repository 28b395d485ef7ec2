import { describe, expect, it } from 'vitest';
import { parseBytes, resolveRunOptions, UsageError } from '../../cli/options.ts';

describe('run options', () => {
  it('reads sizes in decimal and binary units', () => {
    expect(parseBytes('2GB')).toBe(2e9);
    expect(parseBytes('64MiB')).toBe(64 * 2 ** 20);
    expect(parseBytes('1000')).toBe(1000);
  });

  it('fills the defaults: demo camera, laptop runner, 64 MB', () => {
    const o = resolveRunOptions({});
    expect([o.camera, o.runner, o.memory, o.visits, o.seed, o.json]).toEqual(['demo', 'laptop', 64e6, 4, 0, false]);
  });

  it('rejects bad values with what was expected and what was got', () => {
    expect(() => resolveRunOptions({ memory: 'lots' })).toThrow(/--memory: expected a size such as 2GB.*got "lots"/);
    expect(() => resolveRunOptions({ visits: '0' })).toThrow(UsageError);
    expect(() => resolveRunOptions({ camera: 'hubble' })).toThrow(/--camera: expected one of tiny, demo, medium, lsst, got "hubble"/);
    expect(() => resolveRunOptions({ runner: 'gpu' })).toThrow(/--runner: expected one of inline, laptop, cluster/);
    expect(() => resolveRunOptions({ workers: '1.5' })).toThrow(/--workers/);
  });
});
