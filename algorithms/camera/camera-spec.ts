/**
 * The synthetic camera: a grid of rafts of 3×3 sensors with gaps, plus the knobs of the synthetic sky
 * seen through it. A spec is plain data (it crosses pauses and threads); geometry is derived from it by
 * `layout.ts`. Presets are `demo` (the default: the main job in about a minute on 2 cores), `medium`,
 * `lsst` (21 rafts, 189 sensors of 4096×4004: too big for memory without a budget) and `tiny` (tests).
 */

export interface CameraSpec {
  readonly name: string;
  /** Rafts across and down; `skipCorners` drops the four corner rafts (as in LSST's 5×5 - 4 = 21). */
  readonly raftsX: number;
  readonly raftsY: number;
  readonly skipCorners: boolean;
  readonly sensorWidth: number;
  readonly sensorHeight: number;
  /** Gap between sensors within a raft, and extra gap between rafts, in pixels. */
  readonly sensorGap: number;
  readonly raftGap: number;
  /** Stars brighter than the detection limit (flux 3000) per million pixels. */
  readonly starDensity: number;
  /** Cosmic rays per million pixels. */
  readonly cosmicRayDensity: number;
  /** Peak optical distortion, in pixels, at the focal plane's edge. */
  readonly distortionPx: number;
  /** Sensors with a defect their processing detects and fails on (`sky/defects.ts`); none by default. */
  readonly defectiveSensors?: number;
}

const base = { skipCorners: false, sensorGap: 24, raftGap: 48, starDensity: 160, cosmicRayDensity: 25, distortionPx: 2 } as const;

export const cameraPresets = {
  tiny: { ...base, name: 'tiny', raftsX: 1, raftsY: 1, sensorWidth: 256, sensorHeight: 256, starDensity: 400 },
  demo: { ...base, name: 'demo', raftsX: 2, raftsY: 2, sensorWidth: 1024, sensorHeight: 1024 },
  medium: { ...base, name: 'medium', raftsX: 3, raftsY: 3, sensorWidth: 2048, sensorHeight: 2048 },
  lsst: { ...base, name: 'lsst', raftsX: 5, raftsY: 5, skipCorners: true, sensorWidth: 4096, sensorHeight: 4004, sensorGap: 28, raftGap: 64 },
} as const satisfies Record<string, CameraSpec>;

export type CameraPresetName = keyof typeof cameraPresets;

export const cameraPresetNames = Object.keys(cameraPresets) as CameraPresetName[];

/** True for the name of a preset. Never throws. */
export function isCameraPresetName(name: unknown): name is CameraPresetName {
  return typeof name === 'string' && Object.hasOwn(cameraPresets, name);
}

/** Pixels in the whole focal plane (for sizing memory budgets). */
export function cameraPixels(spec: CameraSpec): number {
  const rafts = spec.raftsX * spec.raftsY - (spec.skipCorners ? 4 : 0);
  return rafts * 9 * spec.sensorWidth * spec.sensorHeight;
}
