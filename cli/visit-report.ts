/**
 * Per-visit figures for the summary: model errors against truth (from the visit's result), and wall
 * time, peak resident store bytes and bytes spilled during the visit (from the run's events). Memory
 * and spill events carry no unit path, so they are attributed to every visit running at that time:
 * with visits running at once, their windows overlap and the figures are upper bounds.
 */
import type { FailedSensor, VisitResult } from '../algorithms/index.ts';
import type { RunEvent } from '../lib/index.ts';

/** What a visit's scores must stay under (each strictly less than), for the summary and bench:scale. */
export const accuracyTargets = { distortionRmsPx: 0.02, psfSizeRms: 0.02, backgroundRmsOverNoise: 0.1 } as const;

/** The targets in words, for the summary table. */
export const accuracyTargetsText =
  `targets: distortion < ${accuracyTargets.distortionRmsPx} px RMS, PSF size < ${accuracyTargets.psfSizeRms * 100}% RMS, ` +
  `background < ${accuracyTargets.backgroundRmsOverNoise} of the pixel noise RMS`;

export interface VisitReport {
  readonly visit: number;
  readonly distortionRmsPx: number | undefined;
  readonly psfSizeRms: number | undefined;
  readonly backgroundRmsOverNoise: number;
  readonly sources: number;
  /** Sensors processed; the failed ones are listed in `failed`. */
  readonly sensorsProcessed: number;
  readonly failed: readonly FailedSensor[];
  readonly wallMs: number;
  readonly peakResidentBytes: number | undefined;
  readonly spilledBytes: number;
}

export function visitReports(results: readonly VisitResult[], events: readonly RunEvent[]): VisitReport[] {
  return results.map((result, i) => {
    const path = `root/visit:${i}`;
    const started = events.find((e) => e.type === 'unit-started' && e.path === path)?.t ?? 0;
    const finished = events.find((e) => e.type === 'unit-finished' && e.path === path)?.t ?? started;
    let peak: number | undefined;
    let spilled = 0;
    for (const e of events) {
      if (e.t < started || e.t > finished) continue;
      if (e.type === 'memory') peak = Math.max(peak ?? 0, e.resident);
      if (e.type === 'spill-out') spilled += e.bytes;
    }
    return {
      visit: result.visit,
      ...result.score,
      sources: result.sensors.reduce((n, s) => n + s.sources, 0),
      sensorsProcessed: result.sensors.length,
      failed: result.failed,
      wallMs: finished - started,
      peakResidentBytes: peak,
      spilledBytes: spilled,
    };
  });
}
