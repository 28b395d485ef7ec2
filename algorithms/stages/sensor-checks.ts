/**
 * Instrument-signature checks a sensor's image must pass before it is processed, as a real pipeline's
 * calibration step makes: no unflagged non-finite pixels, and no amplifier strip reading a constant
 * (a dead amplifier). A failing sensor throws a `SensorDefectError` with a stable `code`, so a visit
 * run with `onFailure: 'collect'` records why it left.
 *
 * It does not repair anything, nor look at what the mask flags as bad (those pixels are expected).
 */
import { amplifiers } from '../sky/defects.ts';

export type SensorDefectCode = 'SENSOR_NAN_PIXELS' | 'SENSOR_DEAD_AMPLIFIER';

export class SensorDefectError extends Error {
  readonly code: SensorDefectCode;
  readonly sensor: number;

  constructor(code: SensorDefectCode, sensor: number, message: string) {
    super(message);
    this.name = 'SensorDefectError';
    this.code = code;
    this.sensor = sensor;
  }
}

/** Throws `SensorDefectError` if the image fails a check; the mask's bad pixels are skipped. */
export function checkSensorImage(sensor: number, image: Float32Array, mask: Uint8Array, width: number, height: number): void {
  let nonFinite = 0;
  for (let k = 0; k < image.length; k++) if (mask[k] === 0 && !Number.isFinite(image[k] as number)) nonFinite++;
  if (nonFinite > 0) throw new SensorDefectError('SENSOR_NAN_PIXELS', sensor, `sensor ${sensor}: ${nonFinite} unflagged non-finite pixels`);
  const strip = Math.floor(width / amplifiers);
  for (let a = 0; a < amplifiers; a++) {
    if (isConstantStrip(image, mask, width, height, a * strip, strip)) {
      throw new SensorDefectError('SENSOR_DEAD_AMPLIFIER', sensor, `sensor ${sensor}: amplifier ${a} (columns ${a * strip}–${(a + 1) * strip - 1}) reads a constant`);
    }
  }
}

/** True if every unflagged pixel of the strip has the same value (a live amplifier always has noise). */
function isConstantStrip(image: Float32Array, mask: Uint8Array, width: number, height: number, x0: number, strip: number): boolean {
  let first: number | undefined;
  for (let v = 0; v < height; v++) {
    for (let u = x0; u < x0 + strip; u++) {
      const k = v * width + u;
      if (mask[k] !== 0) continue;
      first ??= image[k] as number;
      if (image[k] !== first) return false;
    }
  }
  return first !== undefined;
}
