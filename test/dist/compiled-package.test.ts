import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The compiled package as a user gets it: `.ci/build-dist.mjs` (npm run build) into <root>/package,
// whose node_modules holds the repository's installed packages; an app in <root>/app with skyloom in
// its node_modules. Children run with no loader flag from this process (NODE_OPTIONS dropped).
const run = promisify(execFile);
const repo = process.cwd();
const fixtures = join(repo, 'test', 'dist', 'fixtures');
const root = mkdtempSync(join(tmpdir(), 'skyloom-dist-'));
const pkg = join(root, 'package');
const app = join(root, 'app');
const { NODE_OPTIONS: _, ...env } = process.env;

/** Makes `from/node_modules/name` point at `to`, or removes it when `to` is undefined. */
function link(from: string, name: string, to: string | undefined): void {
  const path = join(from, 'node_modules', name);
  rmSync(path, { force: true });
  if (to) symlinkSync(to, path);
}

/** Whether tsx can be found, by the app and by skyloom: a real install has it (a dependency), but skyloom must not need it. */
function provideTsx(provided: boolean): void {
  const tsx = provided ? join(repo, 'node_modules', 'tsx') : undefined;
  link(pkg, 'tsx', tsx);
  link(app, 'tsx', tsx);
}

/**
 * How long a child process (the build: tsc over the project, ~20-40 s here; a run: a few seconds) may
 * take before it counts as hung: far above its expected time, for a loaded machine.
 */
const childTimeoutMs = 290_000;

interface Sensor {
  readonly first: number;
  readonly thread: number;
}

async function inlineAndCluster(algorithmModule: string, nodeFlags: string[] = []): Promise<{ inline: Sensor[]; cluster: Sensor[] }> {
  const { stdout } = await run(process.execPath, [...nodeFlags, 'run-inline-and-cluster.mjs', algorithmModule], { cwd: app, env, timeout: childTimeoutMs });
  return JSON.parse(stdout) as { inline: Sensor[]; cluster: Sensor[] };
}

const values = (sensors: Sensor[]) => sensors.map((s) => s.first);
const threads = (sensors: Sensor[]) => new Set(sensors.map((s) => s.thread));

beforeAll(async () => {
  await run(process.execPath, [join(repo, '.ci', 'build-dist.mjs'), pkg], { env, timeout: childTimeoutMs });
  mkdirSync(join(pkg, 'node_modules'));
  for (const name of readdirSync(join(repo, 'node_modules'))) {
    if (!name.startsWith('.') && name !== 'tsx') link(pkg, name, join(repo, 'node_modules', name));
  }
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  link(app, 'skyloom', pkg);
  for (const file of readdirSync(fixtures)) copyFileSync(join(fixtures, file), join(app, file));
}, childTimeoutMs);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the compiled package (dist/)', () => {
  it('runs a compiled .js algorithm on two cluster workers under plain node with no tsx installed, as the inline runner does', async () => {
    provideTsx(false);
    const { inline, cluster } = await inlineAndCluster('compiled-algorithm.js');
    expect(values(cluster)).toStrictEqual(values(inline));
    expect(values(inline)).toHaveLength(6);
    expect(threads(cluster)).not.toContain(0); // every sensor ran in a worker thread
    expect(threads(cluster).size).toBe(2);
  });

  it("loads a user's .ts algorithm in the workers when the app runs with --import tsx", async () => {
    provideTsx(true);
    const { inline, cluster } = await inlineAndCluster('typescript-algorithm.ts', ['--import', 'tsx']);
    expect(values(cluster)).toStrictEqual(values(inline));
    expect(threads(cluster).size).toBe(2);
    const compiled = await inlineAndCluster('compiled-algorithm.js');
    expect(values(cluster)).toStrictEqual(values(compiled.inline)); // the same algorithm, compiled or not
  });

  it("runs the app's own .ts program with `skyloom exec`, its .ts algorithm on two cluster workers, with no tsx installed", async () => {
    provideTsx(false);
    const { stdout } = await run(process.execPath, [join(pkg, 'cli', 'bin.mjs'), 'exec', 'exec-main.ts'], { cwd: app, env, timeout: childTimeoutMs });
    const { inline, cluster } = JSON.parse(stdout) as { inline: Sensor[]; cluster: Sensor[] };
    expect(values(cluster)).toStrictEqual(values(inline));
    expect(values(inline)).toHaveLength(6);
    expect(threads(cluster)).not.toContain(0);
    expect(threads(cluster).size).toBe(2);
    expect(readdirSync(join(app, 'node_modules', '.cache', 'skyloom', 'ts'))).toContain('entries'); // compiled into the app's cache
  });

  it('emits every file its package.json exports, and its skyloom command runs the compiled CLI with no tsx installed', async () => {
    provideTsx(false);
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { exports: Record<string, string | Record<string, string>>; bin: Record<string, string> };
    const targets = Object.values(manifest.exports).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target)));
    expect(targets.filter((target) => !existsSync(resolve(pkg, target)))).toStrictEqual([]);
    const bin = resolve(pkg, manifest.bin.skyloom ?? '');
    const cli = ['run', '--camera', 'tiny', '--visits', '1', '--runner', 'cluster', '--workers', '2', '--json', '--report', '--out', join(root, 'cli-out')];
    const { stdout } = await run(process.execPath, [bin, ...cli], { cwd: app, env, timeout: childTimeoutMs });
    const summary = JSON.parse(stdout) as { runner: string; visits: { backgroundRmsOverNoise: number }[] };
    expect(summary.runner).toBe('cluster');
    expect(summary.visits[0]?.backgroundRmsOverNoise).toBeLessThan(0.1);
    // The run report's browser script is copied, not compiled: a classic <script> cannot hold an `export`.
    const report = readFileSync(join(root, 'cli-out', 'report.html'), 'utf8');
    expect(report).toContain('function drawReport(data)');
    expect(report).not.toMatch(/^export /m);
  });
});
