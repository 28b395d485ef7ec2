import { describe, expect, it } from 'vitest';
import { cameraPresets, renderSensor } from '../../../algorithms/index.ts';
import { subtractBackgroundInto, subtractConstantInto } from '../../../algorithms/stages/background.ts';
import { findSources, maskDetectionsInto } from '../../../algorithms/stages/detect.ts';
import { sensorFrame } from '../../../algorithms/stages/sensor-frame.ts';

// The stages change the image and mask in place (after `take`); in place must equal into a fresh array.
const camera = cameraPresets.tiny;
const frame = sensorFrame(camera, 2);
const { image, mask } = renderSensor({ camera, seed: 9, visit: 0, sensor: 2 });
const same = (a: ArrayBufferView, b: ArrayBufferView): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('the in-place forms of the stage helpers', () => {
  it('subtractBackgroundInto and subtractConstantInto give the same pixels in place as into another array', () => {
    const model = { degree: 1, coeffs: [120, 3, -2], pedestal: 4, rms: 0 };
    const out = new Float32Array(image.length);
    subtractBackgroundInto(frame, image, model, out);
    const inPlace = image.slice();
    subtractBackgroundInto(frame, inPlace, model, inPlace);
    expect(same(inPlace, out)).toBe(true);
    expect(same(out, image)).toBe(false);

    const sample = new Float64Array(Math.ceil(image.length / 5));
    subtractConstantInto(image, mask, out, sample);
    const inPlace2 = image.slice();
    subtractConstantInto(inPlace2, mask, inPlace2, sample);
    expect(same(inPlace2, out)).toBe(true);
    expect(() => subtractConstantInto(image, mask, out, new Float64Array(3))).toThrow(expect.objectContaining({ code: 'SKY_INVALID_ARGUMENT' }));
  });

  it('maskDetectionsInto gives the same mask in place as into another array', () => {
    const residual = new Float32Array(image.length);
    subtractConstantInto(image, mask, residual, new Float64Array(Math.ceil(image.length / 5)));
    const catalog = findSources(residual, mask, frame.width, frame.height, 50);
    expect(catalog.x.length).toBeGreaterThan(0);
    const out = new Uint8Array(mask.length);
    maskDetectionsInto(residual, mask, frame.width, frame.height, catalog, 30, 10, out);
    const inPlace = mask.slice();
    maskDetectionsInto(residual, inPlace, frame.width, frame.height, catalog, 30, 10, inPlace);
    expect(same(inPlace, out)).toBe(true);
    expect(same(out, mask)).toBe(false);
  });
});
