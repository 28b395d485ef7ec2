/**
 * `npm run test:crash`: kill -9 the tiny job at N random points (default 50), resume it, and check that
 * the resumed result.json is byte-identical to an uninterrupted run's and that no unit the ledger had
 * recorded finished ran again (its attempts did not change). A kill before the run had a ledger leaves
 * nothing to resume (`SKY_NOT_A_RUN`): the same command is run again, into the same directory (taking
 * over the dead process's lock). Prints one line per point and `N/50 identical`; exits 1 unless all are.
 *
 * Kill points are drawn uniformly over [0, W) ms after the command starts, W the shortest wall time of
 * an uninterrupted run seen so far (two measured first; a point whose run ends before its kill lowers
 * it), from a seed printed at the start (SKYLOOM_CRASH_SEED, SKYLOOM_CRASH_POINTS override). The kill
 * lands anywhere: during start-up, before the ledger exists, mid-run. Not part of `npm test`: minutes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { seededRandom } from '../../lib/random.ts';

const seed = Number(process.env.SKYLOOM_CRASH_SEED ?? 20261206);
const points = Number(process.env.SKYLOOM_CRASH_POINTS ?? 50);
// Four visits: the ledger's finished units move in steps of a visit (its sensors end together, after its
// last collective), so more visits give kills more distinct states to land in (0, 10, 20, 30, 41 units).
const job = ['--camera', 'tiny', '--visits', '4', '--seed', '7', '--memory', '2MB', '--no-progress', '--json'];
const base = mkdtempSync(join(tmpdir(), 'skyloom-crash-'));

function skyloom(args: readonly string[]): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['cli/bin.mjs', ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stderr: r.stderr };
}

/** Finished units and their attempts, read-only (empty when there is no readable ledger yet). */
function finishedUnits(runDir: string): Map<string, number> {
  const file = join(runDir, 'ledger.sqlite');
  if (!existsSync(file) || readFileSync(file).length < 100) return new Map();
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(`SELECT path, attempts FROM units WHERE status = 'finished'`).all() as { path: string; attempts: number }[];
    return new Map(rows.map((r) => [r.path, r.attempts]));
  } catch {
    return new Map();
  } finally {
    db.close();
  }
}

/** Starts the job and kills it with SIGKILL after `ms`: whether the kill landed, and the wall time if it did not. */
async function runAndKill(out: string, runner: string, ms: number): Promise<{ killed: boolean; wallMs: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['cli/bin.mjs', 'run', ...job, '--runner', runner, '--out', out], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let killed = false;
  const timer = setTimeout(() => (killed = child.kill('SIGKILL')), ms);
  await exited;
  clearTimeout(timer);
  return { killed, wallMs: performance.now() - started };
}

function timed(args: readonly string[]): { code: number | null; stderr: string; wallMs: number } {
  const started = performance.now();
  return { ...skyloom(args), wallMs: performance.now() - started };
}

console.log(`test:crash: seed ${seed}, ${points} kill points, tiny job (${job.join(' ')}), scratch ${base}`);
const referenceOut = join(base, 'reference');
const reference = timed(['run', ...job, '--runner', 'laptop', '--out', referenceOut]);
if (reference.code !== 0) throw new Error(`the uninterrupted run failed: ${reference.stderr}`);
const expected = readFileSync(join(referenceOut, 'result.json'), 'utf8');
const inline = timed(['run', ...job, '--runner', 'inline', '--out', join(base, 'inline')]);
if (inline.code !== 0 || readFileSync(join(base, 'inline', 'result.json'), 'utf8') !== expected) throw new Error('the inline and laptop runs differ: no reference');
const again = timed(['run', ...job, '--runner', 'laptop', '--out', join(base, 'again')]);
let window = Math.min(reference.wallMs, again.wallMs);
console.log(`uninterrupted runs (laptop, whole command): ${reference.wallMs.toFixed(0)}, ${again.wallMs.toFixed(0)} ms; kill points drawn in [0, ${window.toFixed(0)}) ms`);

const random = seededRandom(seed, 'crash points');
let identical = 0;
const stages = new Map<string, number>();
const states = new Map<string, number>();
const failures: string[] = [];
for (let k = 0; k < points; k++) {
  const runner = k % 5 === 4 ? 'cluster' : 'laptop';
  const ms = Math.floor(random() * window);
  const out = join(base, `point-${k}`);
  const runDir = join(out, 'run');
  const { killed, wallMs } = await runAndKill(out, runner, ms);
  if (!killed && runner === 'laptop') window = Math.min(window, wallMs);
  const stage = !killed ? 'ended' : !existsSync(join(runDir, 'ledger.sqlite')) ? 'no ledger' : 'mid-run';
  stages.set(stage, (stages.get(stage) ?? 0) + 1);
  const landed = `${stage === 'mid-run' ? `${finishedUnits(runDir).size} units finished` : stage}`;
  states.set(landed, (states.get(landed) ?? 0) + 1);
  const before = finishedUnits(runDir);
  rmSync(join(out, 'result.json'), { force: true });
  let how = 'resume';
  let r = skyloom(['run', '--resume', runDir, '--runner', runner]);
  if (r.code !== 0 && /SKY_NOT_A_RUN|SKY_RUN_NOT_STARTED/.test(r.stderr)) {
    how = `re-run (${/SKY_NOT_A_RUN/.test(r.stderr) ? 'no ledger yet' : 'no run record'})`;
    r = skyloom(['run', ...job, '--runner', runner, '--out', out]);
  }
  const after = finishedUnits(runDir);
  const rerun = [...before].filter(([path, attempts]) => after.get(path) !== attempts).map(([path]) => path);
  const same = r.code === 0 && existsSync(join(out, 'result.json')) && readFileSync(join(out, 'result.json'), 'utf8') === expected;
  const ok = same && rerun.length === 0;
  if (ok) identical++;
  else failures.push(`point ${k}: exit ${r.code}, identical ${same}, re-run ${rerun.join(' ') || 'none'}\n${r.stderr}`);
  console.log(`point ${String(k).padStart(2)}: ${runner.padEnd(7)} kill at ${String(ms).padStart(5)} ms ${killed ? '' : '(ended first) '}with ${before.size} units finished; ${how}: ${ok ? 'identical, nothing finished re-run' : 'DIFFERENT'}`);
}
console.log(`kills: ${[...stages].map(([stage, n]) => `${n} ${stage === 'ended' ? 'after the run ended' : stage === 'no ledger' ? 'before the ledger existed' : 'with a ledger (mid-run)'}`).join(', ')}`);
console.log(`states at the kill: ${[...states].sort().map(([state, n]) => `${n}× ${state}`).join(', ')}`);
console.log(`${identical}/${points} identical`);
for (const f of failures) console.log(f);
rmSync(base, { recursive: true, force: true });
process.exitCode = identical === points ? 0 : 1;
