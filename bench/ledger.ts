/**
 * bench/ledger: the run ledger's overhead on the bench/visit workload (one `processVisit` of the demo
 * camera on the laptop runner), the cost of the run report's recording, and the time to replay one
 * sensor against the time of the whole visit. In one process, after a warm-up run, runs go round the
 * modes (the order rotated each repeat, so no mode always follows another): without a ledger (`none`),
 * with one (`ledger`, the CLI default: no inputs kept, steps and memory samples recorded for the run
 * report), with one keeping every unit's input (`ledger+keep`, what replay needs), with one recording
 * no timeline (`ledger-timeline`: `timeline: false`, the baseline of the report's recording), and that
 * same baseline again (`ledger-timeline-again`, an A/A pair: how far two identical modes differ here,
 * the noise floor). Each run's wall time, CPU time (user + system, whole process) and its main
 * thread's CPU time (`bench/ledger/thread-cpu.ts`) are recorded; the recording's cost is printed by
 * `bench/ledger/recording-ab.ts` (paired and unpaired ratios with bootstrap 95% intervals, A/A beside
 * each), and the recorder's own work measured alone (`bench/timeline-cost.ts`).
 *
 *   npm run bench:ledger [-- --camera demo --memory 64MB --repeats 3 --warmup 1 --copies 10 --modes none,ledger,ledger+keep,ledger-timeline,ledger-timeline-again,ledger-copies]
 *
 * Targets: ledger overhead ≤ 5% of wall time; the timeline's (ledger vs ledger-timeline) ≤ 1%, shown
 * only when the interval's upper end is ≤ 1.01 and the A/A pair's interval lies within [0.99, 1.01]
 * (else this machine, at this noise and these repeats, cannot resolve 1%). A demo visit varies by
 * ±5-8% from run to run (its spill I/O and collections), which hides 1%: `ledger-copies` runs the
 * same ledger with `--copies` recorders at once (`bench/ledger/amplified-ledger.ts`), whose A/B
 * against `ledger-timeline` resolves a `--copies`-th of that noise (one recorder's cost is
 * (ratio − 1) / copies; see docs/architecture/report.md for the commands and figures).
 * On a shared 2-core machine run it under `flock /tmp/skyloom-bench.lock` and at a quiet moment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cameraPresets, isCameraPresetName, processVisit } from '../algorithms/index.ts';
import { parseBytes } from '../cli/options.ts';
import { run } from '../lib/index.ts';
import { laptopRunner } from '../runners/index.ts';
import { replayUnit } from '../runners/replay.ts';
import type { RunEvent } from '../lib/index.ts';
import { sampleIntervalMs } from '../lib/ledger/timeline-recorder.ts';
import { median } from './ledger/ab-ratio.ts';
import { runWithRecorders } from './ledger/amplified-ledger.ts';
import { printAmplifiedAB, printRecordingAB } from './ledger/recording-ab.ts';
import { mainThreadCpuMs } from './ledger/thread-cpu.ts';
import { timelineCost } from './timeline-cost.ts';

const allModes = ['none', 'ledger', 'ledger+keep', 'ledger-timeline', 'ledger-timeline-again', 'ledger-copies'] as const;
type Mode = (typeof allModes)[number];
const { values } = parseArgs({ options: { camera: { type: 'string', default: 'demo' }, memory: { type: 'string', default: '64MB' }, repeats: { type: 'string', default: '3' }, warmup: { type: 'string', default: '1' }, copies: { type: 'string', default: '10' }, modes: { type: 'string', default: allModes.join(',') }, seed: { type: 'string', default: '1' } } });
const modes = values.modes.split(',') as Mode[];
const copies = Number(values.copies);
if (!Number.isSafeInteger(copies) || copies < 2) throw new Error(`--copies: expected an integer ≥ 2, got ${values.copies}`);
if (!modes.every((m) => (allModes as readonly string[]).includes(m)) || !(modes.includes('ledger') || modes.includes('ledger-copies'))) throw new Error(`--modes: expected some of ${allModes.join(',')}, with ledger or ledger-copies, got ${values.modes}`);
/** The mode whose last run's events the recorder's alone measure replays. */
const recorded: Mode = modes.includes('ledger') ? 'ledger' : 'ledger-copies';
const camera = values.camera;
if (!isCameraPresetName(camera)) throw new Error(`--camera: expected a preset name, got ${camera}`);
const repeats = Number(values.repeats);
const bootstrapSeed = Number(values.seed);
const runner = laptopRunner({ memoryBudget: parseBytes(values.memory) });
const input = { camera: cameraPresets[camera], seed: 1, visit: 0 };
const base = mkdtempSync(join(tmpdir(), 'skyloom-bench-ledger-'));

let counter = 0;
const gc = (globalThis as { gc?: () => void }).gc;

async function once(mode: Mode): Promise<{ ms: number; cpuMs: number; mainCpuMs: number | undefined; runDir: string; output: unknown; events: readonly RunEvent[] }> {
  const runDir = join(base, `run-${++counter}`);
  const ledger = mode === 'none' || mode === 'ledger-copies' ? undefined : { keep: mode === 'ledger+keep', timeline: mode !== 'ledger-timeline' && mode !== 'ledger-timeline-again' };
  gc?.(); // with --expose-gc (the npm script): no run pays for the garbage of the one before
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuMs();
  const r = mode === 'ledger-copies' ? await runWithRecorders(processVisit, input, { runner, verify: false, runDir }, copies) : await run(processVisit, input, { runner, verify: false, runDir, ...(ledger ? { ledger } : {}) });
  const main1 = mainThreadCpuMs();
  const cpu = process.cpuUsage(cpu0);
  const mainCpuMs = main0 === undefined || main1 === undefined ? undefined : main1 - main0;
  return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, mainCpuMs, runDir, output: r.output, events: r.events };
}

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

try {
  console.log(`bench/ledger: one ${camera} processVisit on the laptop runner (memory ${values.memory}), ${repeats} runs per mode, order rotated each repeat; load average ${load()}`);
  for (let w = 0; w < Number(values.warmup); w++) await once(modes[w % modes.length] ?? 'ledger'); // warm-up: JIT and caches settle
  const empty = (): Record<Mode, number[]> => ({ none: [], ledger: [], 'ledger+keep': [], 'ledger-timeline': [], 'ledger-timeline-again': [], 'ledger-copies': [] });
  const times = empty();
  // CPU time (user + system, all threads) too: on a shared machine it varies far less than wall time.
  const cpuTimes = empty();
  const mainCpuTimes = empty();
  let kept: { runDir: string; ms: number } | undefined;
  let lastEvents: readonly RunEvent[] = [];
  for (let r = 0; r < repeats; r++) {
    for (let k = 0; k < modes.length; k++) {
      const mode = modes[(k + r) % modes.length] as Mode;
      const t = await once(mode);
      console.error(`  repeat ${r + 1}/${repeats} ${mode}: wall ${(t.ms / 1000).toFixed(3)} s, CPU ${(t.cpuMs / 1000).toFixed(3)} s, main thread ${((t.mainCpuMs ?? NaN) / 1000).toFixed(3)} s (load ${load()})`);
      times[mode].push(t.ms);
      cpuTimes[mode].push(t.cpuMs);
      if (t.mainCpuMs !== undefined) mainCpuTimes[mode].push(t.mainCpuMs);
      if (mode === recorded) lastEvents = t.events;
      if (mode === 'ledger+keep') kept = { runDir: t.runDir, ms: t.ms };
    }
  }
  // Every run's time for a few repeats; the spread (min, quartiles, max) for many.
  const seconds = (xs: number[]): string => {
    if (xs.length <= 20) return xs.map((t) => (t / 1000).toFixed(2)).join(', ');
    const sorted = [...xs].sort((a, b) => a - b);
    const at = (q: number): string => ((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number) / 1000).toFixed(3);
    return `min ${at(0)}, quartiles ${at(0.25)} ${at(0.5)} ${at(0.75)}, max ${at(1)}`;
  };
  const none = modes.includes('none') ? median(times.none) : undefined;
  for (const mode of modes) {
    const m = median(times[mode]);
    const ratio = mode === 'none' || none === undefined ? '' : `  ratio ${(m / none).toFixed(3)} (overhead ${(100 * (m / none - 1)).toFixed(1)}%; target ≤ 5%)`;
    console.log(`  ${mode.padEnd(21)} wall median ${(m / 1000).toFixed(2)} s [${seconds(times[mode])}]  CPU median ${(median(cpuTimes[mode]) / 1000).toFixed(2)} s [${seconds(cpuTimes[mode])}]${mainCpuTimes[mode].length > 0 ? `  main thread median ${(median(mainCpuTimes[mode]) / 1000).toFixed(3)} s [${seconds(mainCpuTimes[mode])}]` : ''}${ratio}`);
  }
  if (modes.includes('ledger-timeline')) {
    const again = modes.includes('ledger-timeline-again');
    const runsOf = (of: Record<Mode, number[]>): { on: number[]; off: number[]; offAgain?: number[] } => ({ on: of.ledger, off: of['ledger-timeline'], ...(again ? { offAgain: of['ledger-timeline-again'] } : {}) });
    const hasMain = modes.every((m) => mainCpuTimes[m].length === repeats);
    if (modes.includes('ledger')) printRecordingAB({ 'CPU': runsOf(cpuTimes), ...(hasMain ? { 'main-thread CPU': runsOf(mainCpuTimes) } : {}), 'wall': runsOf(times) }, bootstrapSeed);
    if (modes.includes('ledger-copies')) {
      const amplified = (of: Record<Mode, number[]>): { on: number[]; off: number[]; offAgain?: number[] } => ({ ...runsOf(of), on: of['ledger-copies'] });
      printAmplifiedAB({ 'CPU': amplified(cpuTimes), ...(hasMain ? { 'main-thread CPU': amplified(mainCpuTimes) } : {}), 'wall': amplified(times) }, copies, bootstrapSeed);
    }
    // Against the runs with one recorder, or (with only ledger-copies) those without: near enough.
    const against: Mode = modes.includes('ledger') ? 'ledger' : 'ledger-timeline';
    const withTimeline = median(times[against]);
    const cost = timelineCost(lastEvents, join(base, 'timeline-cost'));
    const samples = withTimeline / sampleIntervalMs + 2;
    const work = cost.eventsMs + (samples * cost.sampleUs) / 1000;
    const cpuWork = cost.eventsCpuMs + (samples * cost.sampleCpuUs) / 1000;
    // CPU against CPU: on a loaded machine wall times (the run's and the recorder's) grow with waiting.
    const cpuWith = median(cpuTimes[against]);
    console.log(`  the recorder's own work, measured alone: ${lastEvents.length} events in ${cost.eventsCpuMs.toFixed(1)} ms CPU (${cost.eventsMs.toFixed(1)} ms wall) + ${samples.toFixed(0)} samples × ${cost.sampleCpuUs.toFixed(0)} µs CPU (${cost.sampleUs.toFixed(0)} µs wall) = ${cpuWork.toFixed(1)} ms CPU: ${((100 * cpuWork) / cpuWith).toFixed(2)}% of the median ${against} run's CPU time; wall ${work.toFixed(1)} ms: ${((100 * work) / withTimeline).toFixed(2)}% of its wall time (target ≤ 1%)`);
  }
  if (kept) {
    const sensor = 'root/sensor:0';
    const replayed = await replayUnit(kept.runDir, sensor);
    console.log(`  replay of ${sensor}: ${(replayed.wallMs / 1000).toFixed(2)} s vs the whole visit ${(median(times['ledger+keep']) / 1000).toFixed(2)} s: ratio ${(replayed.wallMs / median(times['ledger+keep'])).toFixed(3)}; digest matches: ${replayed.outputDigest === replayed.recordedDigest}`);
  }
  console.log(`  load average at the end ${load()}`);
} finally {
  rmSync(base, { recursive: true, force: true });
}
