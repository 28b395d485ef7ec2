/**
 * bench/ledger: the run ledger's overhead on the bench/visit workload (one `processVisit` of the demo
 * camera on the laptop runner), and the time to replay one sensor against the time of the whole visit.
 * In one process, after a warm-up run, runs alternate without a ledger, with one (the CLI default: no
 * inputs kept, steps and memory samples recorded for the run report), with one keeping every unit's
 * input (what replay needs), and with one recording no timeline (`timeline: false`, the baseline of
 * the report's recording); medians are compared.
 *
 *   npm run bench:ledger [-- --camera demo --memory 64MB --repeats 3 --modes none,ledger,ledger+keep,ledger-timeline]
 *
 * Targets: ledger overhead ≤ 5% of wall time; the timeline's (ledger vs ledger-timeline) ≤ 1%.
 * Noisy on a shared 2-core machine: rerun before concluding.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cameraPresets, isCameraPresetName, processVisit } from '../algorithms/index.ts';
import { parseBytes } from '../cli/options.ts';
import { run } from '../lib/index.ts';
import { laptopRunner } from '../runners/index.ts';
import { replayUnit } from '../runners/replay.ts';
import type { RunEvent } from '../lib/index.ts';
import { sampleIntervalMs } from '../lib/ledger/timeline-recorder.ts';
import { timelineCost } from './timeline-cost.ts';

const allModes = ['none', 'ledger', 'ledger+keep', 'ledger-timeline'] as const;
type Mode = (typeof allModes)[number];
const { values } = parseArgs({ options: { camera: { type: 'string', default: 'demo' }, memory: { type: 'string', default: '64MB' }, repeats: { type: 'string', default: '3' }, modes: { type: 'string', default: allModes.join(',') } } });
const modes = values.modes.split(',') as Mode[];
if (!modes.every((m) => (allModes as readonly string[]).includes(m)) || !modes.includes('ledger')) throw new Error(`--modes: expected some of ${allModes.join(',')}, with ledger, got ${values.modes}`);
const camera = values.camera;
if (!isCameraPresetName(camera)) throw new Error(`--camera: expected a preset name, got ${camera}`);
const repeats = Number(values.repeats);
const runner = laptopRunner({ memoryBudget: parseBytes(values.memory) });
const input = { camera: cameraPresets[camera], seed: 1, visit: 0 };
const base = mkdtempSync(join(tmpdir(), 'skyloom-bench-ledger-'));

let counter = 0;

async function once(mode: Mode): Promise<{ ms: number; cpuMs: number; runDir: string; output: unknown; events: readonly RunEvent[] }> {
  const runDir = join(base, `run-${++counter}`);
  const ledger = mode === 'none' ? undefined : { keep: mode === 'ledger+keep', timeline: mode !== 'ledger-timeline' };
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const r = await run(processVisit, input, { runner, verify: false, runDir, ...(ledger ? { ledger } : {}) });
  const cpu = process.cpuUsage(cpu0);
  return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, runDir, output: r.output, events: r.events };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

try {
  console.log(`bench/ledger: one ${camera} processVisit on the laptop runner (memory ${values.memory}), ${repeats} runs per mode, alternating`);
  await once(modes[0] ?? 'ledger'); // warm-up
  const times: Record<Mode, number[]> = { none: [], ledger: [], 'ledger+keep': [], 'ledger-timeline': [] };
  let kept: { runDir: string; ms: number } | undefined;
  let lastEvents: readonly RunEvent[] = [];
  // CPU time (user + system, all threads) too: on a shared machine it varies far less than wall time.
  const cpuTimes: Record<Mode, number[]> = { none: [], ledger: [], 'ledger+keep': [], 'ledger-timeline': [] };
  for (let r = 0; r < repeats; r++) {
    for (const mode of modes) {
      const t = await once(mode);
      times[mode].push(t.ms);
      cpuTimes[mode].push(t.cpuMs);
      lastEvents = t.events;
      if (mode === 'ledger+keep') kept = { runDir: t.runDir, ms: t.ms };
    }
  }
  const none = modes.includes('none') ? median(times.none) : undefined;
  for (const mode of modes) {
    const m = median(times[mode]);
    const ratio = mode === 'none' || none === undefined ? '' : `  ratio ${(m / none).toFixed(3)} (overhead ${(100 * (m / none - 1)).toFixed(1)}%; target ≤ 5%)`;
    console.log(`  ${mode.padEnd(15)} median ${(m / 1000).toFixed(2)} s  [${times[mode].map((t) => (t / 1000).toFixed(2)).join(', ')}]${ratio}`);
  }
  if (modes.includes('ledger-timeline')) {
    const [withTimeline, without] = [median(times.ledger), median(times['ledger-timeline'])];
    console.log(`  timeline (steps, collectives, memory samples): ledger vs ledger-timeline ratio ${(withTimeline / without).toFixed(3)} (overhead ${(100 * (withTimeline / without - 1)).toFixed(1)}%; target ≤ 1%)`);
    const [cpuWith, cpuWithout] = [median(cpuTimes.ledger), median(cpuTimes['ledger-timeline'])];
    const list = (xs: number[]): string => xs.map((t) => (t / 1000).toFixed(2)).join(', ');
    console.log(`  CPU time: ledger median ${(cpuWith / 1000).toFixed(2)} s [${list(cpuTimes.ledger)}], ledger-timeline ${(cpuWithout / 1000).toFixed(2)} s [${list(cpuTimes['ledger-timeline'])}]: ratio ${(cpuWith / cpuWithout).toFixed(3)} (overhead ${(100 * (cpuWith / cpuWithout - 1)).toFixed(1)}%)`);
    const cost = timelineCost(lastEvents, join(base, 'timeline-cost'));
    const samples = withTimeline / sampleIntervalMs + 2;
    const share = (cost.eventsMs + (samples * cost.sampleUs) / 1000) / withTimeline;
    console.log(`  the recorder's own work, measured alone: ${lastEvents.length} events in ${cost.eventsMs.toFixed(1)} ms + ${samples.toFixed(0)} samples × ${cost.sampleUs.toFixed(0)} µs = ${(100 * share).toFixed(2)}% of the median ledger run (target ≤ 1%)`);
  }
  if (kept) {
    const sensor = 'root/sensor:0';
    const replayed = await replayUnit(kept.runDir, sensor);
    console.log(`  replay of ${sensor}: ${(replayed.wallMs / 1000).toFixed(2)} s vs the whole visit ${(median(times['ledger+keep']) / 1000).toFixed(2)} s: ratio ${(replayed.wallMs / median(times['ledger+keep'])).toFixed(3)}; digest matches: ${replayed.outputDigest === replayed.recordedDigest}`);
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}
