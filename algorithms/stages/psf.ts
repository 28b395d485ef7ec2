/**
 * PSF model. A sensor sends the adaptive moments of its bright isolated stars, at their focal-plane
 * positions; the central step fits each moment (ixx, iyy, ixy) with a polynomial over the focal plane.
 * A second round lets sensors drop their outliers against the first model (the caller's loop).
 */
import { NormalEquations } from '../math/normal-equations.ts';
import { evalPoly, termCount, writeMonomials } from '../math/poly2d.ts';
import type { SourceCatalog } from './detect.ts';
import { focalX, focalY, type SensorFrame } from './sensor-frame.ts';

export const psfDegree = 2;
const minFlux = 20000;

/** One sensor's PSF stars; gathered. Normalised focal positions and moments in pixels². */
export interface PsfStars {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly ixx: Float64Array;
  readonly iyy: Float64Array;
  readonly ixy: Float64Array;
}

export interface PsfModel {
  readonly degree: number;
  readonly ixx: readonly number[];
  readonly iyy: readonly number[];
  readonly ixy: readonly number[];
  /** RMS relative scatter of star sizes about the model. */
  readonly sizeRms: number;
  readonly stars: number;
}

/** Bright, isolated stars of the catalog; with a model, only those within `clip`·sizeRms of it. */
export function selectPsfStars(frame: SensorFrame, catalog: SourceCatalog, model: PsfModel | undefined, clip: number): PsfStars {
  const keep: number[] = [];
  for (let i = 0; i < catalog.x.length; i++) {
    if (catalog.isolated[i] !== 1 || (catalog.flux[i] as number) < minFlux) continue;
    const x = focalX(frame, catalog.x[i] as number) / frame.radius;
    const y = focalY(frame, catalog.y[i] as number) / frame.radius;
    if (model && Math.abs(sizeOf(catalog.ixx[i] as number, catalog.iyy[i] as number) / psfSize(model, x, y) - 1) > clip * model.sizeRms) continue;
    keep.push(i);
  }
  const pick = (a: Float64Array): Float64Array => Float64Array.from(keep, (i) => a[i] as number);
  return {
    x: Float64Array.from(keep, (i) => focalX(frame, catalog.x[i] as number) / frame.radius),
    y: Float64Array.from(keep, (i) => focalY(frame, catalog.y[i] as number) / frame.radius),
    ixx: pick(catalog.ixx),
    iyy: pick(catalog.iyy),
    ixy: pick(catalog.ixy),
  };
}

function sizeOf(ixx: number, iyy: number): number {
  return Math.sqrt((ixx + iyy) / 2);
}

/** The model's PSF size sqrt((ixx + iyy) / 2) at normalised focal position (x, y). */
export function psfSize(model: PsfModel, x: number, y: number): number {
  return sizeOf(evalPoly(model.ixx, model.degree, x, y), evalPoly(model.iyy, model.degree, x, y));
}

/** Central step: three polynomial fits over all sensors' stars. */
export function fitPsf(allStars: readonly PsfStars[]): PsfModel {
  const terms = termCount(psfDegree);
  const columns = Array.from({ length: terms }, (_, i) => i);
  const fits = (['ixx', 'iyy', 'ixy'] as const).map((moment) => {
    const equations = new NormalEquations(terms);
    const row = new Float64Array(terms);
    for (const stars of allStars) {
      for (let i = 0; i < stars.x.length; i++) {
        writeMonomials(stars.x[i] as number, stars.y[i] as number, psfDegree, row);
        equations.addRow(columns, Array.from(row), stars[moment][i] as number);
      }
    }
    return Array.from(equations.solve(1e-9));
  });
  const [ixx, iyy, ixy] = fits as [number[], number[], number[]];
  const model = { degree: psfDegree, ixx, iyy, ixy, sizeRms: 0, stars: allStars.reduce((n, s) => n + s.x.length, 0) };
  let sum = 0;
  for (const stars of allStars) {
    for (let i = 0; i < stars.x.length; i++) {
      sum += (sizeOf(stars.ixx[i] as number, stars.iyy[i] as number) / psfSize(model, stars.x[i] as number, stars.y[i] as number) - 1) ** 2;
    }
  }
  return { ...model, sizeRms: model.stars ? Math.sqrt(sum / model.stars) : 0 };
}
