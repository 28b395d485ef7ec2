/**
 * bench/visit: one `processVisit` of a camera (default `demo`) on every runner this build provides,
 * each in a fresh child process so peak RSS is per runner. Prints wall time, the ratio to the inline
 * run of the same command, peak RSS, peak store bytes and bytes spilled.
 *
 *   npm run bench:visit [-- --camera demo --memory 64MB --workers 2]
 *
 * The figures are noisy on a shared 2-core machine; rerun before drawing conclusions.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cameraPresets, isCameraPresetName, processVisit } from '../algorithms/index.ts';
import { formatBytes, formatTable } from '../cli/format.ts';
import { parseBytes } from '../cli/options.ts';
import { availableRunners, createRunner } from '../cli/runner-factory.ts';
import { run, tuneMalloc } from '../lib/index.ts';

// Applications opt in to malloc tuning (importing skyloom never does); both sides of every ratio run with it.
tuneMalloc();

interface Figures {
  readonly runner: string;
  readonly wallMs: number;
  readonly peakRssBytes: number;
  readonly peakStoreBytes: number;
  readonly spilledBytes: number;
  readonly distortionRmsPx: number | undefined;
}

const { values } = parseArgs({ options: { camera: { type: 'string', default: 'demo' }, memory: { type: 'string', default: '64MB' }, workers: { type: 'string', default: '2' }, child: { type: 'string' } } });
const camera = values.camera;
if (!isCameraPresetName(camera)) throw new Error(`--camera: expected a preset name, got ${camera}`);
const settings = { memory: parseBytes(values.memory), workers: Number(values.workers) };

if (values.child) {
  const name = values.child as Parameters<typeof createRunner>[0];
  const t0 = performance.now();
  const result = await run(processVisit, { camera: cameraPresets[camera], seed: 1, visit: 0 }, { runner: createRunner(name, settings), verify: false });
  const figures: Figures = {
    runner: name,
    wallMs: performance.now() - t0,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    peakStoreBytes: result.stats.peakStoreBytes,
    spilledBytes: result.stats.spilledBytes,
    distortionRmsPx: result.output.score.distortionRmsPx,
  };
  process.stdout.write(JSON.stringify(figures));
} else {
  const self = fileURLToPath(import.meta.url);
  const all: Figures[] = [];
  for (const name of availableRunners()) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', self, '--camera', camera, '--memory', values.memory, '--workers', values.workers, '--child', name], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`bench child ${name} failed: ${child.stderr}`);
    all.push(JSON.parse(child.stdout) as Figures);
  }
  const inline = all.find((f) => f.runner === 'inline');
  console.log(`bench/visit: one ${camera} visit per runner (memory ${values.memory}, workers ${values.workers}); each runner in its own process`);
  console.log(
    formatTable(
      ['runner', 'wall s', 'ratio to inline', 'peak RSS', 'peak store', 'spilled', 'distortion px'],
      all.map((f) => [f.runner, (f.wallMs / 1000).toFixed(2), inline ? (f.wallMs / inline.wallMs).toFixed(2) : '-', formatBytes(f.peakRssBytes), formatBytes(f.peakStoreBytes), formatBytes(f.spilledBytes), f.distortionRmsPx?.toFixed(4) ?? '-']),
    ),
  );
}
