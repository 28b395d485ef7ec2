/**
 * Where each sensor sits on the focal plane. Focal-plane coordinates are in pixels with the origin at
 * the centre. A sensor's *nominal* placement is the design grid; its *true* placement adds a small
 * mounting offset and rotation (known only to the truth, and fitted by the astrometry).
 *
 * Pixel (u, v) of a sensor has local coordinates L = (u - w/2, v - h/2); its nominal focal-plane
 * position is C + L and its true one C + offset + R(rotation) L.
 */
import { mixSeed, randomStream } from '../math/seeds.ts';
import type { CameraSpec } from './camera-spec.ts';

export interface SensorPlacement {
  readonly index: number;
  readonly raft: number;
  /** Nominal centre on the focal plane. */
  readonly cx: number;
  readonly cy: number;
}

export interface SensorMounting {
  readonly dx: number;
  readonly dy: number;
  /** Radians. */
  readonly rotation: number;
}

/** The nominal placement of every sensor, raft by raft, row-major within a raft. */
export function sensorPlacements(spec: CameraSpec): SensorPlacement[] {
  const pitchX = spec.sensorWidth + spec.sensorGap;
  const pitchY = spec.sensorHeight + spec.sensorGap;
  const raftPitchX = 3 * pitchX + spec.raftGap;
  const raftPitchY = 3 * pitchY + spec.raftGap;
  const placements: SensorPlacement[] = [];
  let raft = 0;
  for (let ry = 0; ry < spec.raftsY; ry++) {
    for (let rx = 0; rx < spec.raftsX; rx++) {
      if (spec.skipCorners && isCorner(rx, ry, spec)) continue;
      const rcx = (rx - (spec.raftsX - 1) / 2) * raftPitchX;
      const rcy = (ry - (spec.raftsY - 1) / 2) * raftPitchY;
      for (let sy = 0; sy < 3; sy++) {
        for (let sx = 0; sx < 3; sx++) {
          placements.push({ index: placements.length, raft, cx: rcx + (sx - 1) * pitchX, cy: rcy + (sy - 1) * pitchY });
        }
      }
      raft++;
    }
  }
  return placements;
}

function isCorner(rx: number, ry: number, spec: CameraSpec): boolean {
  return (rx === 0 || rx === spec.raftsX - 1) && (ry === 0 || ry === spec.raftsY - 1);
}

/** Half the focal plane's extent (the larger of x and y): the scale of normalised coordinates. */
export function focalPlaneRadius(spec: CameraSpec): number {
  let r = 0;
  for (const p of sensorPlacements(spec)) {
    r = Math.max(r, Math.abs(p.cx) + spec.sensorWidth / 2, Math.abs(p.cy) + spec.sensorHeight / 2);
  }
  return r;
}

/** The true mounting of a sensor: fixed for the camera (same in every visit), seeded by the run seed. */
export function sensorMounting(seed: number, sensor: number): SensorMounting {
  const rng = randomStream(mixSeed(seed, 0x6d6f756e, sensor));
  return { dx: 1.5 * rng.normal(), dy: 1.5 * rng.normal(), rotation: 4e-4 * rng.normal() };
}
