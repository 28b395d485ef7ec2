import { describe, expect, it } from 'vitest';
import { cameraPresets, renderSensor, sensorPlacements } from '../../algorithms/index.ts';
import { imageChecksum } from '../../algorithms/visit/sensor-stages.ts';

describe('the synthetic camera', () => {
  it('lsst has 21 rafts of 3×3 sensors of 4096×4004 pixels', () => {
    const placements = sensorPlacements(cameraPresets.lsst);
    expect(placements).toHaveLength(189);
    expect(new Set(placements.map((p) => p.raft)).size).toBe(21);
    expect([cameraPresets.lsst.sensorWidth, cameraPresets.lsst.sensorHeight]).toEqual([4096, 4004]);
  });

  it('places sensors of every preset without overlap, with gaps between them', () => {
    for (const camera of Object.values(cameraPresets)) {
      const p = sensorPlacements(camera);
      for (let i = 0; i < p.length; i++) {
        for (let j = i + 1; j < p.length; j++) {
          const a = p[i]!;
          const b = p[j]!;
          const apart = Math.abs(a.cx - b.cx) >= camera.sensorWidth + camera.sensorGap || Math.abs(a.cy - b.cy) >= camera.sensorHeight + camera.sensorGap;
          expect(apart, `${camera.name} sensors ${i} and ${j}`).toBe(true);
        }
      }
    }
  });

  it('renders a sensor the same way every time, and differently for another visit', () => {
    const id = { camera: cameraPresets.tiny, seed: 1, visit: 0, sensor: 4 };
    const a = renderSensor(id);
    const b = renderSensor(id);
    const c = renderSensor({ ...id, visit: 1 });
    expect(imageChecksum(a.image)).toBe(imageChecksum(b.image));
    expect(imageChecksum(a.image)).not.toBe(imageChecksum(c.image));
    expect(a.image).toHaveLength(256 * 256);
  });
});
