/**
 * Defective sensors of the synthetic camera (`CameraSpec.defectiveSensors`): which sensors are bad is
 * a property of the camera and the seed (the same in every visit, as a broken CCD is), chosen without
 * repeats; each gets one defect, alternating by rank: a **dead amplifier** (one of the sensor's eight
 * amplifier strips reads a constant zero) or **NaN columns** (a few columns of not-a-number, which
 * the calibration did not flag). Neither is in the mask, so the processing finds them, as real
 * instrument-signature checks do (`stages/sensor-checks.ts`), and fails that sensor.
 *
 * It does not decide what the pipeline does with a failed sensor (the visit algorithm does).
 */
import type { CameraSpec } from '../camera/camera-spec.ts';
import { sensorPlacements } from '../camera/layout.ts';
import { mixSeed, randomStream } from '../math/seeds.ts';

export type SensorDefect = 'dead-amplifier' | 'nan-columns';

/** Amplifier strips per sensor, side by side along x (as LSST's 8 per row of a CCD half). */
export const amplifiers = 8;

/** The defective sensors of `camera` under `seed`, with their defect, in sensor order. */
export function defectiveSensors(camera: CameraSpec, seed: number): Map<number, SensorDefect> {
  const total = sensorPlacements(camera).length;
  const count = Math.min(camera.defectiveSensors ?? 0, total);
  const rng = randomStream(mixSeed(seed, 0x64656663));
  const order = Array.from({ length: total }, (_, s) => s);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng.uniform() * (total - i)); // partial Fisher–Yates: `count` distinct sensors
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const picked = order.slice(0, count).sort((a, b) => a - b);
  return new Map(picked.map((s, rank) => [s, rank % 2 === 0 ? 'dead-amplifier' : 'nan-columns']));
}

/** Damages the rendered `image` in place if `sensor` is defective. Deterministic in (camera, seed, sensor). */
export function applySensorDefects(camera: CameraSpec, seed: number, sensor: number, image: Float32Array, width: number, height: number): void {
  const defect = defectiveSensors(camera, seed).get(sensor);
  if (!defect) return;
  const rng = randomStream(mixSeed(seed, 0x62616461, sensor));
  if (defect === 'dead-amplifier') {
    const strip = Math.floor(width / amplifiers);
    const x0 = Math.floor(rng.uniform() * amplifiers) * strip;
    for (let v = 0; v < height; v++) image.fill(0, v * width + x0, v * width + x0 + strip);
    return;
  }
  const columns = 2 + Math.floor(3 * rng.uniform());
  for (let c = 0; c < columns; c++) {
    const column = Math.floor(rng.uniform() * width);
    for (let v = 0; v < height; v++) image[v * width + column] = Number.NaN;
  }
}
