/**
 * bench/ledger: the run ledger's overhead on the bench/visit workload (one `processVisit` of the demo
 * camera on the laptop runner), and the time to replay one sensor against the time of the whole visit.
 * In one process, after a warm-up run, runs alternate without a ledger, with one (the CLI default: no
 * inputs kept) and with one keeping every unit's input (what replay needs); medians are compared.
 *
 *   npm run bench:ledger [-- --camera demo --memory 64MB --repeats 3]
 *
 * Target: ledger overhead ≤ 5% of wall time. Noisy on a shared 2-core machine: rerun before concluding.
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

const { values } = parseArgs({ options: { camera: { type: 'string', default: 'demo' }, memory: { type: 'string', default: '64MB' }, repeats: { type: 'string', default: '3' } } });
const camera = values.camera;
if (!isCameraPresetName(camera)) throw new Error(`--camera: expected a preset name, got ${camera}`);
const repeats = Number(values.repeats);
const runner = laptopRunner({ memoryBudget: parseBytes(values.memory) });
const input = { camera: cameraPresets[camera], seed: 1, visit: 0 };
const base = mkdtempSync(join(tmpdir(), 'skyloom-bench-ledger-'));

type Mode = 'none' | 'ledger' | 'ledger+keep';
let counter = 0;

async function once(mode: Mode): Promise<{ ms: number; runDir: string; output: unknown }> {
  const runDir = join(base, `run-${++counter}`);
  const ledger = mode === 'none' ? undefined : { keep: mode === 'ledger+keep' };
  const t0 = performance.now();
  const r = await run(processVisit, input, { runner, verify: false, runDir, ...(ledger ? { ledger } : {}) });
  return { ms: performance.now() - t0, runDir, output: r.output };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

try {
  console.log(`bench/ledger: one ${camera} processVisit on the laptop runner (memory ${values.memory}), ${repeats} runs per mode, alternating`);
  await once('none'); // warm-up
  const times: Record<Mode, number[]> = { none: [], ledger: [], 'ledger+keep': [] };
  let kept: { runDir: string; ms: number } | undefined;
  for (let r = 0; r < repeats; r++) {
    for (const mode of ['none', 'ledger', 'ledger+keep'] as const) {
      const t = await once(mode);
      times[mode].push(t.ms);
      if (mode === 'ledger+keep') kept = { runDir: t.runDir, ms: t.ms };
    }
  }
  const none = median(times.none);
  for (const mode of ['none', 'ledger', 'ledger+keep'] as const) {
    const m = median(times[mode]);
    const ratio = mode === 'none' ? '' : `  ratio ${(m / none).toFixed(3)} (overhead ${(100 * (m / none - 1)).toFixed(1)}%; target ≤ 5%)`;
    console.log(`  ${mode.padEnd(12)} median ${(m / 1000).toFixed(2)} s  [${times[mode].map((t) => (t / 1000).toFixed(2)).join(', ')}]${ratio}`);
  }
  if (kept) {
    const sensor = 'root/sensor:0';
    const replayed = await replayUnit(kept.runDir, sensor);
    console.log(`  replay of ${sensor}: ${(replayed.wallMs / 1000).toFixed(2)} s vs the whole visit ${(median(times['ledger+keep']) / 1000).toFixed(2)} s: ratio ${(replayed.wallMs / median(times['ledger+keep'])).toFixed(3)}; digest matches: ${replayed.outputDigest === replayed.recordedDigest}`);
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}
