/**
 * `skyloom run`: processVisits on a synthetic camera with the chosen runner, a progress bar on stderr,
 * and a summary (table, or JSON with `--json`) on stdout. Returns the exit code: 0 success, 1 failure.
 * Usage errors are found before this runs (see `options.ts`).
 */
import { writeFileSync } from 'node:fs';
import { makeDirectory } from '../lib/make-directory.ts';
import { join } from 'node:path';
import { cameraPixels, cameraPresets, processVisits, sensorPlacements, type FailedSensor, type VisitsInput, type VisitResult } from '../algorithms/index.ts';
import { codeOf, ErrorCode, start, tuneMalloc, type Job, type Runner, type RunResult } from '../lib/index.ts';
import { readRecordedRun, resume } from '../lib/ledger/resume.ts';
import { describeError, formatBytes, formatMs, formatTable } from './format.ts';
import { checkMemory, type RunOptions } from './options.ts';
import { capWorkers, checkFits } from './resource-checks.ts';
import { optionsToRecord, resumeOptions } from './resume-options.ts';
import { showProgress } from './progress.ts';
import { writeReport } from './report-command.ts';
import { createRunner } from './runner-factory.ts';
import { describeMemory, memoryPlan } from './memory-plan.ts';
import { accuracyTargetsText, visitReports, type VisitReport } from './visit-report.ts';

/** Codes of a run refused before anything ran: its directory, its ledger or its lock. */
const neverStarted = new Set<string>([ErrorCode.DirectoryUnusable, ErrorCode.RunLocked, ErrorCode.LedgerDamaged, ErrorCode.RunNotStarted, ErrorCode.NotARun, ErrorCode.RunIncompatible, ErrorCode.AlgorithmChanged]);

export interface RunSummary {
  /** The run directory (ledger, spill files). */
  readonly runDir: string;
  /** Whether this was `--resume` of a recorded run (whose recorded options these are). */
  readonly resumed: boolean;
  readonly camera: string;
  readonly runner: string;
  /** The whole run's budget in bytes; null when unbudgeted (inline, or cluster without `--memory`). */
  readonly memoryBudgetBytes: number | null;
  /** Each cluster worker's share of the budget; null otherwise. */
  readonly memoryBudgetPerWorkerBytes: number | null;
  /** The budget as printed: `64.0 MB`, `256.0 MB (128.0 MB per worker × 2)`, `unbudgeted`. */
  readonly memoryBudget: string;
  readonly workers: number;
  readonly seed: number;
  readonly sensors: number;
  readonly imageBytesPerVisit: number;
  readonly wallMs: number;
  readonly collectives: number;
  readonly peakStoreBytes: number;
  /** Most bytes one step of one unit had in hand (`RunStats.peakStepBytes`). */
  readonly peakStepBytes: number;
  readonly peakRssBytes: number;
  /** Bytes written to spill files (RunStats.spilledBytes). */
  readonly spilledBytes: number;
  /** Bytes read back from spill files ('spill-in' events). */
  readonly readBackBytes: number;
  readonly visits: readonly VisitReport[];
  /** Sensors whose processing failed, which their visits went on without. */
  readonly failedSensors: readonly (FailedSensor & { readonly visit: number })[];
}

export async function runCommand(given: RunOptions): Promise<number> {
  // Opt-in (SKYLOOM_MALLOC_TUNING=1): glibc then keeps freed memory in the process, faster but RSS
  // stays at its high-water mark; budgeted stores recycle their own memory (see lib/memory/malloc-tuning.ts).
  if (process.env.SKYLOOM_MALLOC_TUNING === '1') tuneMalloc();
  const plan = planRun(given);
  for (const note of plan.notes) process.stderr.write(`skyloom: ${note}\n`);
  const capped = capWorkers(plan.options);
  if (capped.warning) process.stderr.write(`skyloom: warning: ${capped.warning}\n`);
  const options: RunOptions = { ...plan.options, workers: capped.workers };
  checkMemory(options.memory, options.runner, options.workers);
  const preset = cameraPresets[options.camera];
  const camera = options.defectiveSensors > 0 ? { ...preset, defectiveSensors: options.defectiveSensors } : preset;
  const sensors = Math.min(sensorPlacements(camera).length, options.sensors ?? Infinity);
  const memory = memoryPlan(options.runner, options.memory, options.workers);
  const visits = Array.from({ length: options.visits }, (_, i) => i);
  const imageBytes = sensors * camera.sensorWidth * camera.sensorHeight * 5; // float32 image + uint8 mask per pixel
  checkFits(options, memory.budgetBytes, imageBytes);
  const runner = createRunner(options.runner, { memory: memory.budgetBytes, workers: options.workers, ...(options.tasks === undefined ? {} : { tasks: options.tasks }) });
  process.stderr.write(
    `skyloom: ${plan.resumeDir ? `resuming ${plan.resumeDir}: ` : ''}processVisits on camera ${camera.name} (${sensors} sensors, ${formatBytes(imageBytes)} of images per visit), ` +
      `${visits.length} visit(s), seed ${options.seed}, runner ${runner.name}${options.runner === 'inline' ? '' : memory.budgetBytes === undefined ? ', memory unbudgeted' : `, memory ${describeMemory(memory)}`}\n`,
  );
  const input: VisitsInput = { camera, seed: options.seed, visits, ...(options.sensors === undefined ? {} : { sensors: options.sensors }), ...(options.failFast ? { failFast: true } : {}) };
  const job = await startOrResume(options, plan, runner, input);
  process.stderr.write(`skyloom: run directory ${job.runDir} (resume with: skyloom run --resume ${job.runDir})\n`);
  const progress = options.progress ? showProgress(job.events, 1 + visits.length * (1 + sensors)) : undefined;
  const onSignal = (): void => job.cancel();
  process.once('SIGINT', onSignal);
  let result: RunResult<VisitResult[]>;
  try {
    result = await job.result;
  } catch (error) {
    progress?.stop();
    // Refused before anything ran (the ledger is opened asynchronously, so its refusals arrive here):
    // the command reports them as it reports refusals thrown at once.
    if (neverStarted.has(codeOf(error) ?? '')) throw error;
    process.stderr.write(`skyloom: run failed: ${describeError(error)}\n`);
    if (options.report) await reportOf(job.runDir, options.out);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
  }
  progress?.stop();
  if (options.report) await reportOf(job.runDir, options.out);
  const reports = visitReports(result.output, result.events);
  const failedSensors = result.output.flatMap((v) => v.failed.map((f) => ({ visit: v.visit, ...f })));
  if (failedSensors.length > 0) {
    const list = failedSensors.map((f) => `visit ${f.visit} sensor ${f.sensor} [${f.code}]`).join(', ');
    process.stderr.write(`skyloom: warning: ${failedSensors.length} sensor(s) failed and their visits went on without them: ${list} (retry them with: skyloom run --resume ${job.runDir})\n`);
  }
  const summary: RunSummary = {
    runDir: job.runDir,
    resumed: plan.resumeDir !== undefined,
    camera: camera.name,
    runner: runner.name,
    memoryBudgetBytes: memory.budgetBytes ?? null,
    memoryBudgetPerWorkerBytes: memory.perWorkerBytes ?? null,
    memoryBudget: describeMemory(memory),
    workers: options.workers,
    seed: options.seed,
    sensors,
    imageBytesPerVisit: imageBytes,
    wallMs: result.stats.wallMs,
    collectives: result.stats.collectives,
    peakStoreBytes: result.stats.peakStoreBytes,
    peakStepBytes: result.stats.peakStepBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    spilledBytes: result.stats.spilledBytes, // from the stats: the kept event window may not reach back to the start
    readBackBytes: result.stats.readBackBytes,
    visits: reports,
    failedSensors,
  };
  if (options.out) writeOutputs(options.out, summary, result);
  process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : `${summaryTable(summary)}\n`);
  return 0;
}

/** A new run with a ledger in its run directory (recording the options), or the resumption of `plan.resumeDir`. */
async function startOrResume(options: RunOptions, plan: RunPlan, runner: Runner, input: VisitsInput): Promise<Job<VisitResult[]>> {
  if (plan.resumeDir) return (await resume(plan.resumeDir, { runner, force: options.force })) as Job<VisitResult[]>;
  const keep = options.keep === undefined ? false : options.keep === 'all' ? true : options.keep;
  const runDir = options.out ? join(options.out, 'run') : undefined;
  return start(processVisits, input, { runner, seed: options.seed, ...(runDir ? { runDir } : {}), ledger: { keep, options: optionsToRecord(options) } });
}

interface RunPlan {
  readonly options: RunOptions;
  /** The run directory to resume; undefined for a new run. */
  readonly resumeDir?: string;
  readonly notes: readonly string[];
}

/** A new run as given, or a resume with the options recorded in its ledger (`resume-options.ts`). */
function planRun(given: RunOptions): RunPlan {
  if (!given.resume) return { options: given, notes: [] };
  const record = readRecordedRun(given.resume, { force: given.force });
  const { options, notes } = resumeOptions(given, record.options, given.resume);
  return { options: { ...options, seed: record.seed }, resumeDir: given.resume, notes };
}

/** `--report`: the run report, beside the other outputs (or in the run directory); its path on stderr. */
async function reportOf(runDir: string, out: string | undefined): Promise<void> {
  if (out) makeDirectory(out, '--out');
  const { file, bytes } = await writeReport(runDir, out ? join(out, 'report.html') : undefined);
  process.stderr.write(`skyloom: run report ${file} (${formatBytes(bytes)})\n`);
}

/** `[CODE] message`, then each cause on its own line. */
function writeOutputs(dir: string, summary: RunSummary, result: RunResult<VisitResult[]>): void {
  makeDirectory(dir, '--out');
  writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(dir, 'result.json'), `${JSON.stringify(result.output, null, 2)}\n`);
  writeFileSync(join(dir, 'events.ndjson'), result.events.map((e) => JSON.stringify(e)).join('\n') + '\n');
}

const fixed = (digits: number, scale = 1) => (x: number | undefined): string => (x === undefined ? '-' : (x * scale).toFixed(digits));

export function summaryTable(s: RunSummary): string {
  const header = ['visit', 'sensors', 'distortion px RMS', 'PSF size % RMS', 'background / noise', 'sources', 'wall', 'peak resident', 'spilled'];
  const rows = s.visits.map((v) => [
    String(v.visit),
    `${v.sensorsProcessed}/${s.sensors}`,
    fixed(4)(v.distortionRmsPx),
    fixed(3, 100)(v.psfSizeRms),
    fixed(4)(v.backgroundRmsOverNoise),
    String(v.sources),
    formatMs(v.wallMs),
    v.peakResidentBytes === undefined ? '-' : formatBytes(v.peakResidentBytes),
    formatBytes(v.spilledBytes),
  ]);
  const failed = s.failedSensors.map((f) => `  visit ${f.visit} sensor ${f.sensor} (${f.path}) [${f.code}] ${f.message}`);
  return [
    formatTable(header, rows),
    ...(failed.length > 0 ? ['', `failed sensors (left out of their visits; scores are of the others):`, ...failed] : []),
    '',
    `camera ${s.camera} (${s.sensors} sensors), runner ${s.runner}: ${s.visits.length} visit(s) in ${formatMs(s.wallMs)}, ${s.collectives} collectives, ` +
      `peak store ${formatBytes(s.peakStoreBytes)}, peak step ${formatBytes(s.peakStepBytes)}, peak RSS ${formatBytes(s.peakRssBytes)}`,
    `memory ${s.memoryBudget}: spilled ${formatBytes(s.spilledBytes)}, read back ${formatBytes(s.readBackBytes)}`,
    accuracyTargetsText,
  ].join('\n');
}
