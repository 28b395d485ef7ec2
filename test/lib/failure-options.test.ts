import { describe, expect, it } from 'vitest';
import { algorithm, gather, scatter } from '../../lib/index.ts';

const child = algorithm(import.meta.url, async function* child() {
  return 1;
});

/** The op a primitive helper yields first, or the error it throws at the call site. */
function firstOp(helper: Generator<unknown, unknown, unknown>): unknown {
  try {
    return helper.next().value;
  } catch (error) {
    return error;
  }
}

describe('failure options of scatter and gather', () => {
  it("puts onFailure: 'collect' on the scatter op and leaves the default op as it was", () => {
    expect(firstOp(scatter(child, [1], { onFailure: 'collect' }))).toMatchObject({ kind: 'scatter', onFailure: 'collect' });
    expect(firstOp(scatter(child, [1]))).not.toHaveProperty('onFailure');
    expect(firstOp(scatter(child, [1], { onFailure: 'fail' }))).not.toHaveProperty('onFailure');
  });

  it('rejects an unknown onFailure, a quorum that is not a whole number ≥ 1 and a negative deadline with SKY_INVALID_ARGUMENT', () => {
    const bad = [
      firstOp(scatter(child, [1], { onFailure: 'ignore' as never })),
      firstOp(gather(1, (v) => v, { quorum: 0 })),
      firstOp(gather(1, (v) => v, { quorum: 1.5 })),
      firstOp(gather(1, (v) => v, { deadlineMs: -1 })),
    ];
    for (const error of bad) expect(error).toMatchObject({ name: 'SkyloomTypeError', code: 'SKY_INVALID_ARGUMENT' });
    expect((bad[0] as Error).message).toContain("'fail' or 'collect'");
  });

  it('puts quorum and deadlineMs on the gather op only when given', () => {
    expect(firstOp(gather(1, (v) => v, { quorum: 3, deadlineMs: 50 }))).toMatchObject({ kind: 'gather', quorum: 3, deadlineMs: 50 });
    const plain = firstOp(gather(1, (v) => v));
    expect(plain).not.toHaveProperty('quorum');
    expect(plain).not.toHaveProperty('deadlineMs');
  });
});
