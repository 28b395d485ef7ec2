import { describe, expect, it } from 'vitest';
import { cameraPresets, renderSensor } from '../../../algorithms/index.ts';
import { renderSensorInto, signalBandRows, trueStarsOnSensor } from '../../../algorithms/sky/render-sensor.ts';

const camera = cameraPresets.tiny;
const w = camera.sensorWidth;
const h = camera.sensorHeight;
const id = { camera, seed: 4, visit: 1, sensor: 4 };

function render(bandRows: number): { image: Float32Array; mask: Uint8Array } {
  const image = new Float32Array(w * h).fill(7); // every pixel is written, whatever was there
  const mask = new Uint8Array(w * h).fill(255);
  renderSensorInto(id, image, mask, new Float64Array(bandRows * w));
  return { image, mask };
}

describe('renderSensorInto', () => {
  it('makes the same image and mask bit for bit whatever the height of its signal band', () => {
    const whole = render(h);
    expect(whole.image.some((v) => v !== 7)).toBe(true);
    for (const rows of [1, 3, signalBandRows(w, h), h - 1]) {
      const banded = render(rows);
      expect(Buffer.from(banded.image.buffer).equals(Buffer.from(whole.image.buffer))).toBe(true);
      expect(Buffer.from(banded.mask.buffer).equals(Buffer.from(whole.mask.buffer))).toBe(true);
    }
    const fresh = renderSensor(id);
    expect(Buffer.from(fresh.image.buffer).equals(Buffer.from(whole.image.buffer))).toBe(true);
  });

  it('refuses arrays of the wrong size with a typed error', () => {
    expect(() => renderSensorInto(id, new Float32Array(10), new Uint8Array(w * h), new Float64Array(w))).toThrow(expect.objectContaining({ code: 'SKY_INVALID_ARGUMENT' }));
    expect(() => renderSensorInto(id, new Float32Array(w * h), new Uint8Array(w * h), new Float64Array(w - 1))).toThrow(/at least one row/);
  });
});

describe('signalBandRows', () => {
  it('keeps the band at most 1 MB and at least one row', () => {
    expect(signalBandRows(4096, 4004) * 4096 * 8).toBeLessThanOrEqual(1 << 20);
    expect(signalBandRows(1 << 20, 10)).toBe(1);
    expect(signalBandRows(256, 256)).toBe(16);
  });
});

describe('trueStarsOnSensor', () => {
  it('counts the stars on the sensor down to a flux: fewer for a brighter cut, none above the brightest, a typed error for no such sensor', () => {
    const all = trueStarsOnSensor(id, 0);
    const bright = trueStarsOnSensor(id, 5000);
    expect(all).toBeGreaterThan(bright);
    expect(bright).toBeGreaterThan(0);
    expect(trueStarsOnSensor(id, 2e6)).toBe(0); // the field's brightest star is 1.5e6
    expect(() => trueStarsOnSensor({ ...id, sensor: 99 }, 0)).toThrow(expect.objectContaining({ code: 'SKY_INVALID_ARGUMENT' }));
  });
});
