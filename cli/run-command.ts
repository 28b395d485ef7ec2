/**
 * `skyloom run`: processVisits on a synthetic camera with the chosen runner, a progress bar on stderr,
 * and a summary (table, or JSON with `--json`) on stdout. Returns the exit code: 0 success, 1 failure.
 * Usage errors are found before this runs (see `options.ts`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cameraPixels, cameraPresets, processVisits, sensorPlacements, type VisitsInput, type VisitResult } from '../algorithms/index.ts';
import { codeOf, start, tuneMalloc, type Job, type Runner, type RunResult } from '../lib/index.ts';
import { resume } from '../lib/ledger/resume.ts';
import { formatBytes, formatMs, formatTable } from './format.ts';
import type { RunOptions } from './options.ts';
import { showProgress } from './progress.ts';
import { writeReport } from './report-command.ts';
import { createRunner } from './runner-factory.ts';
import { visitReports, type VisitReport } from './visit-report.ts';

export interface RunSummary {
  readonly camera: string;
  readonly runner: string;
  readonly memoryBudgetBytes: number;
  readonly workers: number;
  readonly seed: number;
  readonly sensors: number;
  readonly imageBytesPerVisit: number;
  readonly wallMs: number;
  readonly collectives: number;
  readonly peakStoreBytes: number;
  readonly peakRssBytes: number;
  readonly spilledBytes: number;
  readonly visits: readonly VisitReport[];
}

export async function runCommand(options: RunOptions): Promise<number> {
  // The command owns its process, so it opts in to keeping freed image memory (see lib/memory/malloc-tuning.ts).
  if (process.env.SKYLOOM_MALLOC_TUNING !== '0') tuneMalloc();
  const camera = cameraPresets[options.camera];
  const sensors = sensorPlacements(camera).length;
  const runner = createRunner(options.runner, { memory: options.memory, workers: options.workers });
  const visits = Array.from({ length: options.visits }, (_, i) => i);
  const imageBytes = cameraPixels(camera) * 5; // float32 image + uint8 mask per pixel
  process.stderr.write(
    `skyloom: processVisits on camera ${camera.name} (${sensors} sensors, ${formatBytes(imageBytes)} of images per visit), ` +
      `${visits.length} visit(s), runner ${runner.name}${options.runner === 'inline' ? '' : `, memory ${formatBytes(options.memory)}`}\n`,
  );
  const job = await startOrResume(options, runner, { camera, seed: options.seed, visits });
  process.stderr.write(`skyloom: run directory ${job.runDir} (resume with: skyloom run --resume ${job.runDir})\n`);
  const progress = options.progress ? showProgress(job.events, 1 + visits.length * (1 + sensors)) : undefined;
  const onSignal = (): void => job.cancel();
  process.once('SIGINT', onSignal);
  let result: RunResult<VisitResult[]>;
  try {
    result = await job.result;
  } catch (error) {
    progress?.stop();
    process.stderr.write(`skyloom: run failed: ${describeError(error)}\n`);
    if (options.report) await reportOf(job.runDir, options.out);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
  }
  progress?.stop();
  if (options.report) await reportOf(job.runDir, options.out);
  const reports = visitReports(result.output, result.events);
  const summary: RunSummary = {
    camera: camera.name,
    runner: runner.name,
    memoryBudgetBytes: options.memory,
    workers: options.workers,
    seed: options.seed,
    sensors,
    imageBytesPerVisit: imageBytes,
    wallMs: result.stats.wallMs,
    collectives: result.stats.collectives,
    peakStoreBytes: result.stats.peakStoreBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    spilledBytes: result.events.reduce((n, e) => n + (e.type === 'spill-out' ? e.bytes : 0), 0),
    visits: reports,
  };
  if (options.out) writeOutputs(options.out, summary, result);
  process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : `${summaryTable(summary)}\n`);
  return 0;
}

/** A new run with a ledger in its run directory, or the resumption of the one in `--resume`. */
async function startOrResume(options: RunOptions, runner: Runner, input: VisitsInput): Promise<Job<VisitResult[]>> {
  if (options.resume) return (await resume(options.resume, { runner, force: options.force })) as Job<VisitResult[]>;
  const keep = options.keep === undefined ? false : options.keep === 'all' ? true : options.keep;
  const runDir = options.out ? { runDir: join(options.out, 'run') } : {};
  return start(processVisits, input, { runner, seed: options.seed, ...runDir, ledger: { keep } });
}

/** `--report`: the run report, beside the other outputs (or in the run directory); its path on stderr. */
async function reportOf(runDir: string, out: string | undefined): Promise<void> {
  if (out) mkdirSync(out, { recursive: true });
  const { file, bytes } = await writeReport(runDir, out ? join(out, 'report.html') : undefined);
  process.stderr.write(`skyloom: run report ${file} (${formatBytes(bytes)})\n`);
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = codeOf(error);
  let text = `${code ? `[${code}] ` : ''}${error.message}`;
  for (let cause = error.cause; cause instanceof Error; cause = cause.cause) text += `\n  caused by: ${codeOf(cause) ? `[${codeOf(cause)}] ` : ''}${cause.message}`;
  return text;
}

function writeOutputs(dir: string, summary: RunSummary, result: RunResult<VisitResult[]>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(dir, 'result.json'), `${JSON.stringify(result.output, null, 2)}\n`);
  writeFileSync(join(dir, 'events.ndjson'), result.events.map((e) => JSON.stringify(e)).join('\n') + '\n');
}

const fixed = (digits: number, scale = 1) => (x: number | undefined): string => (x === undefined ? '-' : (x * scale).toFixed(digits));

export function summaryTable(s: RunSummary): string {
  const header = ['visit', 'distortion px RMS', 'PSF size % RMS', 'background / noise', 'sources', 'wall', 'peak resident', 'spilled'];
  const rows = s.visits.map((v) => [
    String(v.visit),
    fixed(4)(v.distortionRmsPx),
    fixed(3, 100)(v.psfSizeRms),
    fixed(4)(v.backgroundRmsOverNoise),
    String(v.sources),
    formatMs(v.wallMs),
    v.peakResidentBytes === undefined ? '-' : formatBytes(v.peakResidentBytes),
    formatBytes(v.spilledBytes),
  ]);
  return [
    formatTable(header, rows),
    '',
    `camera ${s.camera} (${s.sensors} sensors), runner ${s.runner}: ${s.visits.length} visit(s) in ${formatMs(s.wallMs)}, ${s.collectives} collectives, ` +
      `peak store ${formatBytes(s.peakStoreBytes)}, peak RSS ${formatBytes(s.peakRssBytes)}, spilled ${formatBytes(s.spilledBytes)}`,
    'targets: distortion < 0.02 px RMS, PSF size < 2% RMS, background < 0.1 of the pixel noise RMS',
  ].join('\n');
}
