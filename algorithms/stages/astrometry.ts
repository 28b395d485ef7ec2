/**
 * Global astrometry. A sensor matches its detections to the reference catalog and sends the matched
 * pairs; the central step fits one focal-plane distortion polynomial plus an offset and rotation per
 * sensor, and returns each sensor its own solution (`perMember`). The model is, for a reference star
 * at sky position S seen at nominal focal position P = C + L:
 *
 *     P - S = D(S / radius) - offset + rotation · (L_y, -L_x)
 *
 * The first match has no solution yet: it finds the sensor's shift by voting over all pairs.
 * Matching radius and outlier rejection tighten round by round (the caller's loop).
 */
import { NormalEquations } from '../math/normal-equations.ts';
import { evalPoly, termCount, writeMonomials } from '../math/poly2d.ts';
import type { StarList } from '../sky/star-field.ts';
import type { SourceCatalog } from './detect.ts';
import { focalX, focalY, type SensorFrame } from './sensor-frame.ts';

export const distortionDegree = 3;

/** One sensor's matched pairs; gathered. Local coordinates L of detections, sky positions of references. */
export interface MatchedPairs {
  readonly lx: Float64Array;
  readonly ly: Float64Array;
  readonly sx: Float64Array;
  readonly sy: Float64Array;
}

/** One sensor's astrometric solution (the distortion coefficients are the same for every sensor). */
export interface AstrometricSolution {
  readonly degree: number;
  readonly radius: number;
  readonly cx: readonly number[];
  readonly cy: readonly number[];
  readonly dx: number;
  readonly dy: number;
  readonly rotation: number;
  /** RMS of all matched pairs about the fit, pixels per axis. */
  readonly rms: number;
  readonly matched: number;
}

/** Where the solution puts a reference star, in the sensor's local coordinates L. */
export function predictLocal(frame: SensorFrame, solution: AstrometricSolution | undefined, sx: number, sy: number): [number, number] {
  if (!solution) return [sx - frame.cx, sy - frame.cy];
  const x = sx / solution.radius;
  const y = sy / solution.radius;
  const px = sx + evalPoly(solution.cx, solution.degree, x, y) - solution.dx;
  const py = sy + evalPoly(solution.cy, solution.degree, x, y) - solution.dy;
  let lx = px - frame.cx;
  let ly = py - frame.cy;
  for (let i = 0; i < 2; i++) {
    const nx = px + solution.rotation * ly - frame.cx;
    const ny = py - solution.rotation * lx - frame.cy;
    lx = nx;
    ly = ny;
  }
  return [lx, ly];
}

/** The most common detection-minus-reference shift (1-pixel votes within `reach`), refined by a mean. */
export function voteShift(frame: SensorFrame, detections: SourceCatalog, refs: StarList, reach: number): [number, number] {
  const size = 2 * reach + 1;
  const votes = new Float64Array(size * size);
  const pairs: [number, number][] = [];
  forEachPair(frame, detections, refs, undefined, reach, (ddx, ddy) => {
    pairs.push([ddx, ddy]);
    const cell = (Math.round(ddy) + reach) * size + Math.round(ddx) + reach;
    votes[cell] = (votes[cell] ?? 0) + 1;
  });
  let best = 0;
  for (let k = 1; k < votes.length; k++) if ((votes[k] as number) > (votes[best] as number)) best = k;
  const bx = (best % size) - reach;
  const by = Math.floor(best / size) - reach;
  const near = pairs.filter(([x, y]) => Math.hypot(x - bx, y - by) < 1.5);
  if (near.length === 0) return [0, 0];
  return [near.reduce((s, p) => s + p[0], 0) / near.length, near.reduce((s, p) => s + p[1], 0) / near.length];
}

function forEachPair(frame: SensorFrame, detections: SourceCatalog, refs: StarList, solution: AstrometricSolution | undefined, reach: number, visit: (dx: number, dy: number, det: number, ref: number) => void): void {
  const index = new CellIndex(detections, reach, frame);
  for (let r = 0; r < refs.x.length; r++) {
    const [lx, ly] = predictLocal(frame, solution, refs.x[r] as number, refs.y[r] as number);
    index.near(lx, ly, (d, dx, dy) => visit(dx, dy, d, r));
  }
}

/**
 * Pairs each reference with its nearest detection within `radius` of the prediction (shifted by
 * `shift`), dropping ambiguous ones (a second detection within twice the radius) and pairs whose
 * residual exceeds `maxResidual`.
 */
export function matchReferences(frame: SensorFrame, detections: SourceCatalog, refs: StarList, solution: AstrometricSolution | undefined, shift: readonly [number, number], radius: number): MatchedPairs {
  const index = new CellIndex(detections, 2 * radius, frame);
  const out = { lx: [] as number[], ly: [] as number[], sx: [] as number[], sy: [] as number[] };
  for (let r = 0; r < refs.x.length; r++) {
    const [plx, ply] = predictLocal(frame, solution, refs.x[r] as number, refs.y[r] as number);
    let best = -1;
    let bestDistance = Infinity;
    let candidates = 0;
    index.near(plx + shift[0], ply + shift[1], (d, dx, dy) => {
      const distance = Math.hypot(dx, dy);
      if (distance < 2 * radius) candidates++;
      if (distance < bestDistance) [best, bestDistance] = [d, distance];
    });
    if (best < 0 || bestDistance > radius || candidates > 1) continue;
    out.lx.push((detections.x[best] as number) - frame.width / 2);
    out.ly.push((detections.y[best] as number) - frame.height / 2);
    out.sx.push(refs.x[r] as number);
    out.sy.push(refs.y[r] as number);
  }
  return { lx: Float64Array.from(out.lx), ly: Float64Array.from(out.ly), sx: Float64Array.from(out.sx), sy: Float64Array.from(out.sy) };
}

/** Detections bucketed by cells of `reach` pixels, for neighbour queries in local coordinates. */
class CellIndex {
  readonly #cells = new Map<number, number[]>();
  readonly #reach: number;
  readonly #detections: SourceCatalog;
  readonly #frame: SensorFrame;

  constructor(detections: SourceCatalog, reach: number, frame: SensorFrame) {
    this.#reach = reach;
    this.#detections = detections;
    this.#frame = frame;
    for (let d = 0; d < detections.x.length; d++) {
      const key = this.#key(Math.floor((detections.x[d] as number) / reach), Math.floor((detections.y[d] as number) / reach));
      const list = this.#cells.get(key);
      if (list) list.push(d);
      else this.#cells.set(key, [d]);
    }
  }

  #key(i: number, j: number): number {
    return (j + 1000) * 100000 + (i + 1000);
  }

  /** Calls `visit(d, dx, dy)` for detections within `reach` of local position (lx, ly). */
  near(lx: number, ly: number, visit: (d: number, dx: number, dy: number) => void): void {
    const u = lx + this.#frame.width / 2;
    const v = ly + this.#frame.height / 2;
    const i0 = Math.floor(u / this.#reach);
    const j0 = Math.floor(v / this.#reach);
    for (let j = j0 - 1; j <= j0 + 1; j++) {
      for (let i = i0 - 1; i <= i0 + 1; i++) {
        for (const d of this.#cells.get(this.#key(i, j)) ?? []) {
          const dx = (this.#detections.x[d] as number) - u;
          const dy = (this.#detections.y[d] as number) - v;
          if (Math.abs(dx) <= this.#reach && Math.abs(dy) <= this.#reach) visit(d, dx, dy);
        }
      }
    }
  }
}

/** Drops pairs whose residual about `solution` exceeds `limit` pixels. */
export function clipPairs(frame: SensorFrame, pairs: MatchedPairs, solution: AstrometricSolution, limit: number): MatchedPairs {
  const keep: number[] = [];
  for (let i = 0; i < pairs.lx.length; i++) {
    const [lx, ly] = predictLocal(frame, solution, pairs.sx[i] as number, pairs.sy[i] as number);
    if (Math.hypot(lx - (pairs.lx[i] as number), ly - (pairs.ly[i] as number)) <= limit) keep.push(i);
  }
  const pick = (a: Float64Array): Float64Array => Float64Array.from(keep, (i) => a[i] as number);
  return { lx: pick(pairs.lx), ly: pick(pairs.ly), sx: pick(pairs.sx), sy: pick(pairs.sy) };
}

/** Central step: the distortion plus per-sensor offset and rotation, by linear least squares. */
export function fitAstrometry(frames: readonly SensorFrame[], allPairs: readonly MatchedPairs[]): AstrometricSolution[] {
  const terms = termCount(distortionDegree);
  const n = 2 * terms + 3 * allPairs.length;
  const equations = new NormalEquations(n);
  const radius = frames[0]?.radius ?? 1;
  const halfWidth = (frames[0]?.width ?? 2) / 2;
  const mono = new Float64Array(terms);
  allPairs.forEach((pairs, s) => {
    const base = 2 * terms + 3 * s;
    for (let i = 0; i < pairs.lx.length; i++) {
      const frame = frames[s] as SensorFrame;
      const lx = pairs.lx[i] as number;
      const ly = pairs.ly[i] as number;
      const sx = pairs.sx[i] as number;
      const sy = pairs.sy[i] as number;
      writeMonomials(sx / radius, sy / radius, distortionDegree, mono);
      const poly = Array.from(mono);
      const colsX = [...poly.keys(), base, base + 2];
      const colsY = [...poly.keys()].map((k) => k + terms).concat([base + 1, base + 2]);
      // rotation is fitted scaled by the half-width, for conditioning
      equations.addRow(colsX, [...poly, -1, ly / halfWidth], frame.cx + lx - sx);
      equations.addRow(colsY, [...poly, -1, -lx / halfWidth], frame.cy + ly - sy);
    }
  });
  const perSensor = Array.from({ length: 3 * allPairs.length }, (_, i) => 2 * terms + i);
  const p = equations.solve(1e-6, perSensor);
  const cx = Array.from(p.subarray(0, terms));
  const cy = Array.from(p.subarray(terms, 2 * terms));
  const partial = (s: number): AstrometricSolution => ({
    degree: distortionDegree,
    radius,
    cx,
    cy,
    dx: p[2 * terms + 3 * s] as number,
    dy: p[2 * terms + 3 * s + 1] as number,
    rotation: (p[2 * terms + 3 * s + 2] as number) / halfWidth,
    rms: 0,
    matched: allPairs[s]?.lx.length ?? 0,
  });
  const rms = pairsRms(frames, allPairs, partial);
  return allPairs.map((_, s) => ({ ...partial(s), rms }));
}

function pairsRms(frames: readonly SensorFrame[], allPairs: readonly MatchedPairs[], solutionOf: (s: number) => AstrometricSolution): number {
  let sum = 0;
  let n = 0;
  allPairs.forEach((pairs, s) => {
    const solution = solutionOf(s);
    const frame = frames[s] as SensorFrame;
    for (let i = 0; i < pairs.lx.length; i++) {
      const [lx, ly] = predictLocal(frame, solution, pairs.sx[i] as number, pairs.sy[i] as number);
      sum += (lx - (pairs.lx[i] as number)) ** 2 + (ly - (pairs.ly[i] as number)) ** 2;
      n += 2;
    }
  });
  return n ? Math.sqrt(sum / n) : 0;
}

/** The model's nominal focal-plane position minus the truth's, for a pixel whose true sky position is known. */
export function modelResidual(frame: SensorFrame, solution: AstrometricSolution, u: number, v: number, skyX: number, skyY: number): [number, number] {
  const [lx, ly] = predictLocal(frame, solution, skyX, skyY);
  return [focalX(frame, lx + frame.width / 2) - focalX(frame, u), focalY(frame, ly + frame.height / 2) - focalY(frame, v)];
}
