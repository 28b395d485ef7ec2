/**
 * The report's per-level table: for each depth of the unit tree, its units, the time they span, their
 * attempts and failures. Time is the length of the union of the units' [started, ended] intervals, so
 * units that ran at the same time are not counted twice (a sum of durations would be). Pure.
 */

export interface UnitRow {
  readonly path: string;
  readonly status: string;
  readonly attempts: number;
  readonly started: number | null;
  readonly ended: number | null;
}

export interface LevelRow {
  readonly depth: number;
  /** The labels of the level's units (`visit`, `sensor`), without their indices. */
  readonly label: string;
  readonly units: number;
  /** Milliseconds covered by at least one unit of the level. */
  readonly spanMs: number;
  /** The longest single unit, ms. */
  readonly longestMs: number;
  readonly attempts: number;
  readonly failures: number;
}

export function levelTable(units: readonly UnitRow[]): LevelRow[] {
  const byDepth = new Map<number, UnitRow[]>();
  for (const u of units) {
    const depth = u.path.split('/').length - 1;
    let rows = byDepth.get(depth);
    if (!rows) byDepth.set(depth, (rows = []));
    rows.push(u);
  }
  return [...byDepth.entries()]
    .sort(([a], [b]) => a - b)
    .map(([depth, rows]) => {
      const intervals = rows.filter((r) => r.started !== null && r.ended !== null).map((r) => [r.started as number, r.ended as number] as const);
      return {
        depth,
        label: [...new Set(rows.map((r) => labelOf(r.path)))].join(', '),
        units: rows.length,
        spanMs: unionLength(intervals),
        longestMs: intervals.reduce((m, [a, b]) => Math.max(m, b - a), 0),
        attempts: rows.reduce((n, r) => n + r.attempts, 0),
        failures: rows.filter((r) => r.status === 'failed').length,
      };
    });
}

/** `root/visit:3/sensor:5` → `sensor`; `root/visit:1/sensor#2:0` → `sensor#2`. */
export function labelOf(path: string): string {
  return (path.split('/').at(-1) ?? path).replace(/:\d+$/, '');
}

/** Total length covered by intervals that may overlap. */
export function unionLength(intervals: readonly (readonly [number, number])[]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [from, to] = [-Infinity, -Infinity];
  for (const [a, b] of sorted) {
    if (a > to) {
      if (to > from) total += to - from;
      [from, to] = [a, b];
    } else if (b > to) to = b;
  }
  if (to > from) total += to - from;
  return total;
}
