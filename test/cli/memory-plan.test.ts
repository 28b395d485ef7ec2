import { describe, expect, it } from 'vitest';
import { defaultLaptopMemory, describeMemory, memoryPlan } from '../../cli/memory-plan.ts';

const physical = 16e9;

describe('the memory plan of a run', () => {
  it('gives laptop mode a quarter of physical memory when --memory is not given, and says so', () => {
    const plan = memoryPlan('laptop', undefined, 4, physical);
    expect(plan.budgetBytes).toBe(4e9);
    expect(plan.source).toBe('default');
    expect(describeMemory(plan)).toBe('4.0 GB (default: 25% of physical memory)');
    expect(defaultLaptopMemory(physical)).toBe(4e9);
  });

  it('keeps an explicit --memory as the laptop budget', () => {
    const plan = memoryPlan('laptop', 64e6, 4, physical);
    expect([plan.budgetBytes, plan.perWorkerBytes, plan.source]).toEqual([64e6, undefined, 'flag']);
    expect(describeMemory(plan)).toBe('64.0 MB');
  });

  it('runs cluster mode unbudgeted without --memory, and splits --memory evenly across the workers', () => {
    const none = memoryPlan('cluster', undefined, 2, physical);
    expect([none.budgetBytes, none.perWorkerBytes]).toEqual([undefined, undefined]);
    expect(describeMemory(none)).toBe('unbudgeted');
    const split = memoryPlan('cluster', 256e6, 2, physical);
    expect([split.budgetBytes, split.perWorkerBytes]).toEqual([256e6, 128e6]);
    expect(describeMemory(split)).toBe('256.0 MB (128.0 MB per worker × 2)');
    expect(memoryPlan('cluster', 100, 3, physical).perWorkerBytes).toBe(33); // whole bytes, never more than the whole
  });

  it('gives the inline runner no budget, whatever --memory says', () => {
    expect(memoryPlan('inline', 64e6, 1, physical).budgetBytes).toBeUndefined();
  });
});
