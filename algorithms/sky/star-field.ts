/**
 * The star field of a visit and its reference catalog, generated lazily by sky tiles of 512 pixels so a
 * sensor can ask for the stars near it without the whole sky being made. Fluxes follow a power law
 * N(>f) ∝ f^-0.75 from 1000 up; the reference catalog holds stars brighter than 5000 with 0.003 px of
 * position noise. Sky coordinates are tangent-plane pixels.
 */
import type { CameraSpec } from '../camera/camera-spec.ts';
import { mixSeed, randomStream } from '../math/seeds.ts';

export interface StarList {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly flux: Float64Array;
}

export interface Region {
  readonly xmin: number;
  readonly xmax: number;
  readonly ymin: number;
  readonly ymax: number;
}

const tileSize = 512;
const minFlux = 1000;
const maxFlux = 1.5e6;
const slope = 0.75;
export const referenceFluxLimit = 5000;
const referenceNoisePx = 0.003;

/** Every star whose sky position lies in `region`. */
export function starsInRegion(camera: CameraSpec, seed: number, visit: number, region: Region): StarList {
  return collect(camera, seed, visit, region, false);
}

/** The reference catalog in `region`: bright stars, positions with a little catalog noise. */
export function referenceStarsInRegion(camera: CameraSpec, seed: number, visit: number, region: Region): StarList {
  return collect(camera, seed, visit, region, true);
}

function collect(camera: CameraSpec, seed: number, visit: number, region: Region, reference: boolean): StarList {
  const xs: number[] = [];
  const ys: number[] = [];
  const fs: number[] = [];
  for (let ty = Math.floor(region.ymin / tileSize); ty <= Math.floor(region.ymax / tileSize); ty++) {
    for (let tx = Math.floor(region.xmin / tileSize); tx <= Math.floor(region.xmax / tileSize); tx++) {
      tileStars(camera, seed, visit, tx, ty, (x, y, f, rng) => {
        if (reference) {
          if (f < referenceFluxLimit) return;
          x += referenceNoisePx * rng.normal();
          y += referenceNoisePx * rng.normal();
        }
        if (x < region.xmin || x >= region.xmax || y < region.ymin || y >= region.ymax) return;
        xs.push(x);
        ys.push(y);
        fs.push(f);
      });
    }
  }
  return { x: Float64Array.from(xs), y: Float64Array.from(ys), flux: Float64Array.from(fs) };
}

type StarSink = (x: number, y: number, flux: number, rng: ReturnType<typeof randomStream>) => void;

function tileStars(camera: CameraSpec, seed: number, visit: number, tx: number, ty: number, sink: StarSink): void {
  const rng = randomStream(mixSeed(seed, 0x73746172, visit, tx, ty));
  const noise = randomStream(mixSeed(seed, 0x72656663, visit, tx, ty)); // catalog noise: its own stream
  const perPixel = (camera.starDensity / 1e6) * (3000 / minFlux) ** slope;
  const mean = perPixel * tileSize * tileSize;
  const count = Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.normal()));
  for (let i = 0; i < count; i++) {
    const x = (tx + rng.uniform()) * tileSize;
    const y = (ty + rng.uniform()) * tileSize;
    const flux = Math.min(maxFlux, minFlux * (1 - rng.uniform()) ** (-1 / slope));
    sink(x, y, flux, noise);
  }
}
