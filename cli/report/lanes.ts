/**
 * Lanes of the report's timeline: steps are placed greedily, each in the first lane free at its
 * start, so steps that overlapped in time get lanes of their own. On one thread (inline, laptop) no
 * steps overlap and there is one lane. Events say nothing of hosts, so lanes are not hosts. Pure.
 */

export interface Lanes {
  /** The lane of each step, by index. */
  readonly of: readonly number[];
  readonly labels: readonly string[];
}

export function assignLanes(steps: readonly { readonly start: number; readonly end: number }[]): Lanes {
  const freeAt: number[] = [];
  const order = steps.map((_, i) => i).sort((a, b) => (steps[a]?.start ?? 0) - (steps[b]?.start ?? 0));
  const of: number[] = new Array<number>(steps.length).fill(0);
  for (const i of order) {
    const step = steps[i];
    if (!step) continue;
    let lane = freeAt.findIndex((t) => t <= step.start);
    if (lane < 0) lane = freeAt.push(0) - 1;
    freeAt[lane] = Math.max(step.end, step.start);
    of[i] = lane;
  }
  const labels = freeAt.length <= 1 ? ['thread'] : freeAt.map((_, i) => `lane ${i + 1}`);
  return { of, labels };
}
