/**
 * Per-visit figures for the summary: model errors against truth (from the visit's result), and wall
 * time, peak resident store bytes and bytes spilled (from the run's events). Where the events say
 * whose they are (cluster hosts tag a spill with the unit that put the ref, and a memory sample with
 * its host and resident bytes by visit), a visit's figures are its own: the bytes its units spilled,
 * and the peak over time of its resident bytes summed over the hosts. Otherwise (the laptop runner's
 * one store, visits one after another) the events within the visit's window count.
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
  const attributed = events.some((e) => e.type === 'memory' && e.units !== undefined);
  return results.map((result, i) => {
    const path = `root/visit:${i}`;
    const started = events.find((e) => e.type === 'unit-started' && e.path === path)?.t ?? 0;
    const finished = events.find((e) => e.type === 'unit-finished' && e.path === path)?.t ?? started;
    const { peak, spilled } = attributed ? ownFigures(path, events) : windowFigures(started, finished, events);
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

interface MemoryFigures {
  readonly peak: number | undefined;
  readonly spilled: number;
}

/** The store's figures while the visit ran (one store, visits one after another). */
function windowFigures(started: number, finished: number, events: readonly RunEvent[]): MemoryFigures {
  let peak: number | undefined;
  let spilled = 0;
  for (const e of events) {
    if (e.t < started || e.t > finished) continue;
    if (e.type === 'memory') peak = Math.max(peak ?? 0, e.resident);
    if (e.type === 'spill-out') spilled += e.bytes;
  }
  return { peak, spilled };
}

/** The visit's own figures from tagged events: spills of refs its units put; its resident bytes summed over hosts, at their peak. */
function ownFigures(visit: string, events: readonly RunEvent[]): MemoryFigures {
  const onHost = new Map<number, number>();
  let resident = 0;
  let peak: number | undefined;
  let spilled = 0;
  for (const e of events) {
    if (e.type === 'spill-out' && e.path !== undefined && (e.path === visit || e.path.startsWith(`${visit}/`))) spilled += e.bytes;
    if (e.type !== 'memory' || e.units === undefined || e.host === undefined) continue;
    const now = e.units[visit] ?? 0;
    resident += now - (onHost.get(e.host) ?? 0);
    onHost.set(e.host, now);
    peak = Math.max(peak ?? 0, resident);
  }
  return { peak, spilled };
}
