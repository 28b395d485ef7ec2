/**
 * What bench:scale runs and the targets each run is held to (issue 15). Figures are decimal (MB = 10^6
 * bytes), as `--memory` reads them. Only the targets the issue sets are checked; everything else is
 * printed for information.
 */
import type { CameraPresetName } from '../../algorithms/index.ts';
import type { RunnerName } from '../../cli/options.ts';

export interface Configuration {
  /** Short name for the table and for `--only`. */
  readonly name: string;
  readonly camera: CameraPresetName;
  readonly runner: RunnerName;
  /** `--memory` in bytes (the whole run's budget); undefined for inline. */
  readonly memoryBytes: number | undefined;
  readonly workers: number;
  /** Peak RSS must stay at or under this, whatever the baseline. */
  readonly rssCapBytes: number | undefined;
  /** Peak disk use of the run directory must stay at or under this. */
  readonly diskCapBytes: number | undefined;
  /** The visit's scores must meet the accuracy targets. */
  readonly checkAccuracy: boolean;
  /** Name of the inline run whose wall time this run's is compared with (≤ `wallRatioCap`). */
  readonly inlineOf: string | undefined;
}

export const wallRatioCap = 1.3;
/** Spill bytes written may be at most this many times the bytes that had to leave memory. */
export const spillRatioCap = 1.2;

const MB = 1e6;
const GB = 1e9;

function budgeted(name: string, camera: CameraPresetName, runner: 'laptop' | 'cluster', memoryBytes: number, rssCapBytes: number, workers = 1): Configuration {
  return { name, camera, runner, memoryBytes, workers, rssCapBytes, diskCapBytes: undefined, checkAccuracy: false, inlineOf: runner === 'laptop' ? `${camera}-inline` : undefined };
}

function inline(camera: CameraPresetName): Configuration {
  return { name: `${camera}-inline`, camera, runner: 'inline', memoryBytes: undefined, workers: 1, rssCapBytes: undefined, diskCapBytes: undefined, checkAccuracy: false, inlineOf: undefined };
}

/** The default set: demo and medium, inline first so each laptop run has its comparison. */
export function defaultConfigurations(clusterWorkers: number): Configuration[] {
  return [
    inline('demo'),
    budgeted('demo-laptop-64MB', 'demo', 'laptop', 64 * MB, 160 * MB),
    budgeted('demo-laptop-16MB', 'demo', 'laptop', 16 * MB, 160 * MB),
    inline('medium'),
    budgeted('medium-laptop-256MB', 'medium', 'laptop', 256 * MB, 450 * MB),
    budgeted(`medium-cluster-${clusterWorkers}w-256MB`, 'medium', 'cluster', 256 * MB, 450 * MB, clusterWorkers),
  ];
}

/** One lsst visit on the laptop runner: RSS ≤ budget + 0.5 GB (2 GB → 2.5 GB; stretch 1 GB → 1.5 GB), disk ≤ 20 GB, accuracy met. */
export function lsstConfiguration(memoryBytes: number): Configuration {
  return {
    name: `lsst-laptop-${Math.round(memoryBytes / MB)}MB`,
    camera: 'lsst',
    runner: 'laptop',
    memoryBytes,
    workers: 1,
    rssCapBytes: memoryBytes + 0.5 * GB,
    diskCapBytes: 20 * GB,
    checkAccuracy: true,
    inlineOf: undefined,
  };
}
