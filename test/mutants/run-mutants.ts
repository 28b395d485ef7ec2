/**
 * The mutant catalogue: each `catalogue/*.patch` plants one bug in a temporary copy of the source tree
 * (the worktree is never touched) and the property suite alone (`test/property`, CI seeds and budgets)
 * must fail on it. Prints, per mutant, the property that killed it and the size of its shrunk
 * counterexample, then `killed K of M`; exits non-zero unless every mutant was killed.
 *
 * A patch that no longer applies counts as not killed (the catalogue must be kept current); so does a
 * run that fails without a property counterexample (e.g. the mutant does not compile), since then no
 * property did the killing.
 *
 *   npm run test:mutants                  # every mutant
 *   npm run test:mutants -- 03 reversed   # only mutants whose file name contains one of these words
 */
import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const catalogue = (): string => join(snapshot, 'test/mutants/catalogue');
/**
 * What a copy needs to run the property suite: vitest.config.ts's global setup builds the compiled
 * copy the CLI runs, from cli/, lib/, runners/ and algorithms/, so those come too.
 */
const copied = ['lib', 'runners', 'algorithms', 'cli', 'test/property', 'test/global-setup.ts', 'test/slow-first-sequencer.ts', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'vitest.config.ts'];

interface Verdict {
  readonly name: string;
  readonly killed: boolean;
  readonly detail: string;
}

/** A snapshot of the tree taken once at the start, so edits made while the catalogue runs do not leak in. */
let snapshot = '';

async function main(): Promise<void> {
  snapshot = await mkdtemp(join(tmpdir(), 'skyloom-mutants-base-'));
  for (const part of [...copied, 'test/mutants/catalogue']) await cp(join(repo, part), join(snapshot, part), { recursive: true });
  try {
    await runCatalogue();
  } finally {
    await rm(snapshot, { recursive: true, force: true });
  }
}

async function runCatalogue(): Promise<void> {
  const filters = process.argv.slice(2);
  const patches = (await readdir(catalogue())).filter((f) => f.endsWith('.patch')).filter((f) => filters.length === 0 || filters.some((w) => f.includes(w))).sort();
  // Control: the unpatched copy must pass, or a "kill" could be a failure the mutant did not cause.
  if (!process.env.SKYLOOM_MUTANTS_NO_CONTROL) {
    const control = await tryMutant(undefined);
    console.log(`[mutant] control (no patch): ${control.detail}`);
    if (control.killed) throw new Error('the property suite fails without any mutant: fix that first');
  }
  const verdicts: Verdict[] = [];
  for (const patch of patches) {
    const verdict = await tryMutant(patch);
    verdicts.push(verdict);
    console.log(`[mutant] ${verdict.name}: ${verdict.killed ? 'killed' : 'SURVIVED'} — ${verdict.detail}`);
  }
  const killed = verdicts.filter((v) => v.killed).length;
  console.log(`killed ${killed} of ${verdicts.length}`);
  process.exitCode = killed === verdicts.length ? 0 : 1;
}

/** Runs the suite on a copy with `patch` applied (none: the control run); killed means a property failed. */
async function tryMutant(patch: string | undefined): Promise<Verdict> {
  const name = patch?.replace(/\.patch$/, '') ?? 'control';
  const dir = await mkdtemp(join(tmpdir(), `skyloom-mutant-${name}-`));
  try {
    for (const part of copied) await cp(join(snapshot, part), join(dir, part), { recursive: true });
    await symlink(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const applied = patch ? spawnSync('git', ['apply', '--whitespace=nowarn', join(catalogue(), patch)], { cwd: dir, encoding: 'utf8' }) : undefined;
    if (applied && applied.status !== 0) return { name, killed: false, detail: `the patch does not apply: ${applied.stderr.trim()}` };
    const started = Date.now();
    const { status, output } = await runSuite(dir);
    const seconds = Math.round((Date.now() - started) / 1000);
    const found = /\[counterexample\] (\S+): (\d+) instructions after (\d+) shrinks/.exec(output);
    if (!patch) return { name, killed: status !== 0, detail: status === 0 ? `every property passed (${seconds} s)` : `FAILED (${seconds} s): ${lastLines(output)}` };
    if (status !== 0 && found) return { name, killed: true, detail: `${found[1]}, shrunk counterexample ${found[2]} instructions (${found[3]} shrinks, ${seconds} s)` };
    if (status === 0) return { name, killed: false, detail: `every property passed (${seconds} s)` };
    return { name, killed: false, detail: `the suite failed without a property counterexample (${seconds} s): ${lastLines(output)}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The property suite in the copy, stopping at the first failing test. */
function runSuite(dir: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    // The CI seeds and budgets: no soak, no replayed seed.
    const { SKYLOOM_SOAK: _soak, SKYLOOM_PROPERTY_SEED: _seed, ...env } = process.env;
    const child = spawn('npx', ['vitest', 'run', 'test/property', '--bail=1'], { cwd: dir, env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (status) => resolve({ status, output }));
  });
}

function lastLines(text: string): string {
  return text.split('\n').filter((l) => /Error|FAIL|error/.test(l)).slice(0, 3).join(' | ').slice(0, 400);
}

await main();
