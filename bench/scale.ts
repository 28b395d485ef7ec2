/**
 * bench:scale — issue 15's memory targets, measured on the real main job: each configuration is a
 * `skyloom run --visits 1 --json --no-progress --out DIR` in a child process started as `npm start`
 * starts it (its environment, node flags and `cli/bin.mjs`, which runs the compiled copy), watched from outside through /proc (VmRSS every ~20 ms, VmHWM) and by the disk use
 * of its run directory (every ~200 ms). Each run's peak RSS is printed against budget + baseline, where
 * baseline = a process of the same kind with skyloom and the algorithms loaded and nothing run
 * (measured in this command, `scale/baseline.ts`) + the run's largest single step (`peakStepBytes`
 * from its summary). Also: laptop wall / inline wall on the same camera, spill bytes written against
 * the bytes that had to leave memory (refs read back at least once, from events.ndjson), peak disk.
 * Exits 1 if any target fails. Run it alone (it measures RSS):
 *
 *   flock /tmp/skyloom-bench.lock npm run bench:scale [-- --only demo] [--workers 2] [--lsst [--lsst-memory 1GB]] [--no-defaults] [--out DIR] [--keep]
 *
 * `--only` takes configuration names or camera names, comma separated. `--lsst` adds one lsst visit
 * on the laptop runner (2GB unless `--lsst-memory`); it takes a long time and prints progress.
 * Does not cover bench/laptop's or bench/cluster's figures (their own benches).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatBytes, formatMs, formatTable } from '../cli/format.ts';
import { parseBytes } from '../cli/options.ts';
import type { RunSummary } from '../cli/run-command.ts';
import { measureLoadedBaseline } from './scale/baseline.ts';
import { defaultConfigurations, lsstConfiguration, type Configuration } from './scale/configurations.ts';
import { measureChild } from './scale/measured-child.ts';
import { spillTraffic } from './scale/spill-accounting.ts';
import { describeVerdict, judge, passed, tableHeader, tableRow, type Verdict } from './scale/verdict.ts';
import { mainJobCommand } from './scale/main-job-command.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const mainJob = mainJobCommand();
const cli = join(repo, mainJob.entry);

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    workers: { type: 'string', default: '2' },
    lsst: { type: 'boolean', default: false },
    'lsst-memory': { type: 'string' },
    'no-defaults': { type: 'boolean', default: false },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

const workers = Number(values.workers);
if (!Number.isInteger(workers) || workers < 1) throw new Error(`--workers: expected a whole number ≥ 1, got ${values.workers}`);
let configurations: Configuration[] = values['no-defaults'] ? [] : defaultConfigurations(workers);
if (values.only) {
  const wanted = new Set(values.only.split(',').map((s) => s.trim()));
  configurations = configurations.filter((c) => wanted.has(c.name) || wanted.has(c.camera));
}
if (values.lsst || values['lsst-memory']) configurations.push(lsstConfiguration(parseBytes(values['lsst-memory'] ?? '2GB', '--lsst-memory')));
if (configurations.length === 0) throw new Error('nothing to run: --only matched no configuration');

const root = values.out ? resolve(values.out) : mkdtempSync(join(tmpdir(), 'skyloom-bench-scale-'));
mkdirSync(root, { recursive: true });
const say = (line: string): void => void process.stdout.write(`${line}\n`);

say(`bench:scale: ${configurations.map((c) => c.name).join(', ')}; outputs in ${root}`);
const loadedSingle = measureLoadedBaseline(0);
say(`loaded baseline: ${formatBytes(loadedSingle.bytes)} (the main job's node, flags and compiled copy with the CLI, lib, algorithms and runners loaded, nothing run: VmRSS after 0.5 s idle, median of 3)`);
const loadedCluster = configurations.some((c) => c.runner === 'cluster') ? measureLoadedBaseline(workers) : undefined;
if (loadedCluster) say(`loaded baseline with ${workers} cluster workers: ${formatBytes(loadedCluster.bytes)} (VmHWM of the same process after an empty run on ${workers} workers, median of 3)`);

const verdicts: Verdict[] = [];
const summaries = new Map<string, RunSummary>();
for (const c of configurations) {
  const out = join(root, c.name);
  rmSync(out, { recursive: true, force: true });
  const args = [...mainJob.nodeFlags, cli, 'run', '--camera', c.camera, '--visits', '1', '--runner', c.runner, '--json', '--no-progress', '--out', out];
  if (c.memoryBytes !== undefined) args.push('--memory', String(c.memoryBytes));
  if (c.runner === 'cluster') args.push('--workers', String(c.workers));
  say(`\n${c.name}: skyloom ${args.slice(mainJob.nodeFlags.length + 1).join(' ')}`);
  const child = await measureChild(args, {
    env: mainJob.env,
    cwd: repo,
    diskFallback: out,
    progressEveryMs: c.camera === 'lsst' ? 30_000 : 60_000,
    onProgress: (p) => say(`  … ${formatMs(p.elapsedMs)}: RSS ${formatBytes(p.rssBytes)} (peak ${formatBytes(p.peakRssBytes)}), run directory ${formatBytes(p.diskBytes)}`),
  });
  const summary = child.exitCode === 0 ? (JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as RunSummary) : undefined;
  const spill = summary && c.memoryBytes !== undefined ? await spillTraffic(join(out, 'events.ndjson')) : undefined;
  if (summary) summaries.set(c.name, summary);
  const loaded = c.runner === 'cluster' ? (loadedCluster?.bytes ?? 0) : loadedSingle.bytes;
  const verdict = judge(c, child, summary, spill, loaded, c.inlineOf ? summaries.get(c.inlineOf) : undefined);
  verdicts.push(verdict);
  say(describeVerdict(verdict));
  if (!values.keep) rmSync(out, { recursive: true, force: true });
}

say(`\n${formatTable(tableHeader, verdicts.map(tableRow))}`);
const failed = verdicts.filter((v) => !passed(v));
say(failed.length === 0 ? '\nall targets met' : `\n${failed.length} of ${verdicts.length} runs miss a target: ${failed.map((v) => v.configuration.name).join(', ')}`);
if (!values.keep && !values.out) rmSync(root, { recursive: true, force: true });
process.exitCode = failed.length === 0 ? 0 : 1;
