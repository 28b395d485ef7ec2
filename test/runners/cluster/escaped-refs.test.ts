import { describe, expect, it } from 'vitest';
import { makeRef } from '../../../lib/ref.ts';
import { EscapedRefs } from '../../../runners/cluster/escaped-refs.ts';

describe('EscapedRefs', () => {
  it('keeps the handles of its own refs found anywhere in a leaving value, once each', () => {
    const escaped = new EscapedRefs('h1-');
    const [a, b, c, d] = ['h1-1', 'h1-2', 'h1-3', 'h1-4'].map((id) => makeRef(id, 8));
    const other = makeRef('h2-1', 8);
    const value = { list: [a, { deep: new Map<unknown, unknown>([[b, 'key'], ['v', new Set([c])]]) }], other, pixels: new Float32Array(4) };
    expect(escaped.keep(value)).toBe(value);
    expect(escaped.size).toBe(3);
    escaped.keep([a, d, a]);
    expect(escaped.size).toBe(4);
    escaped.clear();
    expect(escaped.size).toBe(0);
  });

  it('walks shared and cyclic values once, and does not look inside class instances or buffers', () => {
    const escaped = new EscapedRefs('h0-');
    const ref = makeRef('h0-7', 8);
    const cyclic: Record<string, unknown> = { ref };
    cyclic.self = cyclic;
    class Box {
      constructor(readonly inner: unknown) {}
    }
    escaped.keep([cyclic, cyclic, new Box(makeRef('h0-8', 8)), null, 3, 'h0-9']);
    expect(escaped.size).toBe(1);
  });
});
