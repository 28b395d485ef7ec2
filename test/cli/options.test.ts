import { describe, expect, it } from 'vitest';
import { parseBytes, resolveRunOptions, UsageError } from '../../cli/options.ts';
import { minimumMemoryBudget } from '../../runners/index.ts';

describe('run options', () => {
  it('reads sizes in decimal and binary units', () => {
    expect(parseBytes('2GB')).toBe(2e9);
    expect(parseBytes('64MiB')).toBe(64 * 2 ** 20);
    expect(parseBytes('1000')).toBe(1000);
  });

  it('fills the defaults: demo camera, laptop runner, no --memory (the runner picks its default)', () => {
    const o = resolveRunOptions({});
    expect([o.camera, o.runner, o.memory, o.visits, o.seed, o.json]).toEqual(['demo', 'laptop', undefined, 4, 0, false]);
  });

  it('refuses a --memory below the laptop minimum, or below it per cluster worker, with SKY_MEMORY_BUDGET', () => {
    const refusal = (raw: Record<string, unknown>): unknown => {
      try {
        resolveRunOptions(raw);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const laptop = refusal({ memory: String(minimumMemoryBudget - 1) });
    expect(laptop).toBeInstanceOf(UsageError);
    expect((laptop as UsageError).code).toBe('SKY_MEMORY_BUDGET');
    expect((laptop as UsageError).message).toMatch(/laptop runner needs at least 64\.0 KiB, got 65535 bytes/);
    expect(refusal({ memory: String(minimumMemoryBudget) })).toBeUndefined();
    expect((refusal({ memory: String(minimumMemoryBudget * 2 - 1), runner: 'cluster', workers: '2' }) as UsageError).code).toBe('SKY_MEMORY_BUDGET');
    expect(refusal({ memory: String(minimumMemoryBudget * 2), runner: 'cluster', workers: '2' })).toBeUndefined();
    expect(refusal({ memory: '1', runner: 'inline' })).toBeUndefined(); // inline has no budget to check
    expect((refusal({ memory: 'lots' }) as UsageError).code).toBe('SKY_INVALID_ARGUMENT');
  });

  it('rejects bad values with what was expected and what was got', () => {
    expect(() => resolveRunOptions({ memory: 'lots' })).toThrow(/--memory: expected a size such as 2GB.*got "lots"/);
    expect(() => resolveRunOptions({ visits: '0' })).toThrow(UsageError);
    expect(() => resolveRunOptions({ camera: 'hubble' })).toThrow(/--camera: expected one of tiny, demo, medium, lsst, got "hubble"/);
    expect(() => resolveRunOptions({ runner: 'gpu' })).toThrow(/--runner: expected one of inline, laptop, cluster/);
    expect(() => resolveRunOptions({ workers: '1.5' })).toThrow(/--workers/);
  });
});
