/**
 * What a per-sensor stage needs to know about where its sensor sits: nominal centre, size and the
 * focal plane's radius (the scale of normalised coordinates). Plain data.
 */
import type { CameraSpec } from '../camera/camera-spec.ts';
import { focalPlaneRadius, sensorPlacements } from '../camera/layout.ts';

export interface SensorFrame {
  readonly sensor: number;
  readonly cx: number;
  readonly cy: number;
  readonly width: number;
  readonly height: number;
  readonly radius: number;
}

export function sensorFrame(camera: CameraSpec, sensor: number): SensorFrame {
  const place = sensorPlacements(camera)[sensor];
  if (!place) throw new RangeError(`sensorFrame: expected a sensor index below ${sensorPlacements(camera).length}, got ${sensor}`);
  return { sensor, cx: place.cx, cy: place.cy, width: camera.sensorWidth, height: camera.sensorHeight, radius: focalPlaneRadius(camera) };
}

/** Nominal focal-plane x (pixels) of pixel column u. */
export function focalX(frame: SensorFrame, u: number): number {
  return frame.cx + u - frame.width / 2;
}

export function focalY(frame: SensorFrame, v: number): number {
  return frame.cy + v - frame.height / 2;
}
