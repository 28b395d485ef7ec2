/**
 * Turns one measured run into figures and pass/fail checks against its configuration's targets, and
 * prints them. Pure: the measuring is in `measured-child.ts`, the driving in `../scale.ts`.
 */
import { formatBytes, formatMs } from '../../cli/format.ts';
import type { RunSummary } from '../../cli/run-command.ts';
import { accuracyTargets } from '../../cli/visit-report.ts';
import { spillRatioCap, wallRatioCap, type Configuration } from './configurations.ts';
import type { ChildFigures } from './measured-child.ts';
import type { SpillTraffic } from './spill-accounting.ts';

export interface Check {
  readonly what: string;
  readonly ok: boolean;
}

export interface Verdict {
  readonly configuration: Configuration;
  readonly child: ChildFigures;
  readonly summary: RunSummary | undefined;
  readonly spill: SpillTraffic | undefined;
  /** max(sampled VmRSS, last VmHWM, the child's own getrusage maxRSS). */
  readonly peakRssBytes: number;
  readonly loadedBytes: number;
  /** loaded + the run's largest single step. */
  readonly baselineBytes: number;
  /** peak RSS / (budget + baseline); undefined when unbudgeted. */
  readonly rssRatio: number | undefined;
  /** spill written / had to leave memory; undefined when nothing was written. */
  readonly spillRatio: number | undefined;
  /** run wall / its inline run's wall. */
  readonly wallRatio: number | undefined;
  readonly checks: readonly Check[];
}

export function judge(configuration: Configuration, child: ChildFigures, summary: RunSummary | undefined, spill: SpillTraffic | undefined, loadedBytes: number, inline: RunSummary | undefined): Verdict {
  const c = configuration;
  const peakRssBytes = Math.max(child.sampledPeakRssBytes, child.hwmBytes, summary?.peakRssBytes ?? 0);
  const baselineBytes = loadedBytes + (summary?.peakStepBytes ?? 0);
  const budget = c.memoryBytes;
  const rssRatio = budget === undefined ? undefined : peakRssBytes / (budget + baselineBytes);
  const spillRatio = spill && spill.writtenBytes > 0 ? spill.writtenBytes / spill.hadToLeaveBytes : undefined;
  const wallRatio = summary && inline && c.inlineOf ? summary.wallMs / inline.wallMs : undefined;
  const checks: Check[] = [{ what: `exit 0 (got ${child.exitCode ?? child.signal})`, ok: child.exitCode === 0 && summary !== undefined }];
  if (budget !== undefined && rssRatio !== undefined) checks.push({ what: `peak RSS ≤ budget + baseline (${formatBytes(budget + baselineBytes)})`, ok: rssRatio <= 1 });
  if (c.rssCapBytes !== undefined) checks.push({ what: `peak RSS ≤ ${formatBytes(c.rssCapBytes)}`, ok: peakRssBytes <= c.rssCapBytes });
  if (budget !== undefined && spill) checks.push({ what: `spill written ≤ ${spillRatioCap} × had to leave memory`, ok: spillRatio === undefined || spillRatio <= spillRatioCap });
  if (c.diskCapBytes !== undefined) checks.push({ what: `peak disk ≤ ${formatBytes(c.diskCapBytes)}`, ok: child.peakDiskBytes <= c.diskCapBytes });
  // Only when the inline run is in this command (`--only` may leave it out; its own failure is its own check).
  if (c.inlineOf !== undefined && wallRatio !== undefined) checks.push({ what: `wall ≤ ${wallRatioCap} × ${c.inlineOf}`, ok: wallRatio <= wallRatioCap });
  if (c.checkAccuracy) checks.push({ what: 'accuracy targets met', ok: summary !== undefined && accuracyMet(summary) });
  return { configuration, child, summary, spill, peakRssBytes, loadedBytes, baselineBytes, rssRatio, spillRatio, wallRatio, checks };
}

function accuracyMet(summary: RunSummary): boolean {
  return summary.visits.every(
    (v) =>
      v.distortionRmsPx !== undefined &&
      v.distortionRmsPx < accuracyTargets.distortionRmsPx &&
      v.psfSizeRms !== undefined &&
      v.psfSizeRms < accuracyTargets.psfSizeRms &&
      v.backgroundRmsOverNoise < accuracyTargets.backgroundRmsOverNoise,
  );
}

export const passed = (v: Verdict): boolean => v.checks.every((check) => check.ok);

const ratio = (x: number | undefined): string => (x === undefined ? '-' : Number.isFinite(x) ? x.toFixed(2) : '∞');

/** The few lines printed as soon as a run ends. */
export function describeVerdict(v: Verdict): string {
  const { child, summary, spill } = v;
  const lines = [
    `${v.configuration.name}: exit ${child.exitCode ?? child.signal}, wall ${formatMs(child.wallMs)} (the run itself ${summary ? formatMs(summary.wallMs) : '-'})`,
    `  peak RSS ${formatBytes(v.peakRssBytes)} (sampled VmRSS ${formatBytes(child.sampledPeakRssBytes)} over ${child.rssSamples} samples, ` +
      `VmHWM ${formatBytes(child.hwmBytes)}, getrusage ${summary ? formatBytes(summary.peakRssBytes) : '-'})`,
    `  budget ${summary?.memoryBudget ?? '-'}; baseline ${formatBytes(v.baselineBytes)} = loaded ${formatBytes(v.loadedBytes)} + largest step ${summary ? formatBytes(summary.peakStepBytes) : '-'}; ` +
      `peak RSS / (budget + baseline) ${ratio(v.rssRatio)}`,
  ];
  if (spill) {
    lines.push(
      `  spill: written ${formatBytes(spill.writtenBytes)} (${spill.refsWritten} refs), read back ${formatBytes(spill.readBackBytes)}, ` +
        `had to leave memory ${formatBytes(spill.hadToLeaveBytes)} (${spill.refsReadBack} refs read back); written / had to leave ${ratio(v.spillRatio)}; ` +
        `peak disk of the run directory ${formatBytes(child.peakDiskBytes)}`,
    );
  }
  if (v.wallRatio !== undefined) lines.push(`  wall / ${v.configuration.inlineOf} ${ratio(v.wallRatio)}`);
  const visit = summary?.visits[0];
  if (visit) {
    lines.push(
      `  accuracy: distortion ${visit.distortionRmsPx?.toFixed(4) ?? '-'} px RMS, PSF size ${visit.psfSizeRms === undefined ? '-' : (visit.psfSizeRms * 100).toFixed(3)}% RMS, ` +
        `background ${visit.backgroundRmsOverNoise.toFixed(4)} of the noise`,
    );
  }
  for (const check of v.checks) lines.push(`  ${check.ok ? 'pass' : 'FAIL'}  ${check.what}`);
  if (child.exitCode !== 0) lines.push(`  stderr (last lines):\n${child.stderr.trim().split('\n').slice(-8).map((l) => `    ${l}`).join('\n')}`);
  return lines.join('\n');
}

/** The final table's header and row for each run. */
export const tableHeader = ['run', 'wall', 'peak RSS', 'budget', 'baseline', 'RSS/(budget+base)', 'spill/needed', 'peak disk', 'wall/inline', 'result'];

export function tableRow(v: Verdict): string[] {
  return [
    v.configuration.name,
    v.summary ? formatMs(v.summary.wallMs) : '-',
    formatBytes(v.peakRssBytes),
    v.configuration.memoryBytes === undefined ? '-' : formatBytes(v.configuration.memoryBytes),
    formatBytes(v.baselineBytes),
    ratio(v.rssRatio),
    ratio(v.spillRatio),
    formatBytes(v.child.peakDiskBytes),
    ratio(v.wallRatio),
    passed(v) ? 'pass' : `FAIL (${v.checks.filter((c) => !c.ok).length})`,
  ];
}
