// The compiled copy of skyloom that `skyloom` (cli/bin.mjs) runs when it starts from the sources (a
// clone): lib, runners, algorithms and cli compiled by tsc into node_modules/.cache/skyloom/build,
// rebuilt when any of their files changed, then imported with plain `node`.
//
// Why compiled, not tsx: a process that registered tsx's loader hooks runs the same pixel loops up to
// ~1.6x slower in its main thread (measured here; see docs/architecture.md, "Sources and the compiled
// package"), and the hooks' thread costs ~31 MB of RSS, half the demo's memory budget.
// Why one fixed directory, not one per source hash: a run records its algorithm's module URL in its
// ledger, and resume and replay load it from there; a fixed path keeps that URL stable across
// rebuilds, so resume runs today's code and its provenance check sees what changed.
//
// Not covered: type checking (tsc runs with --noCheck: `npm run typecheck` is the check), and sources
// edited while a run is starting (a rebuild replaces the directory under it: restart the run).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { withDirectoryLock } from './directory-lock.mjs';

const compiledFolders = ['lib', 'runners', 'algorithms', 'cli'];
/** Files used as they are (tsconfig.build.json excludes them from the compilation). */
const copiedFiles = ['cli/report/report-charts.js'];
const hashFile = '.source-hash';

/**
 * Returns the directory of an up-to-date compiled copy of the project at `root`, building it first
 * if it is missing or stale. Throws tsc's error if the build fails (with its output on stderr).
 */
export function compiledBuild(root) {
  const cache = join(root, 'node_modules', '.cache', 'skyloom');
  const build = join(cache, 'build');
  const hash = sourceHash(root);
  if (builtFrom(build) === hash) return build;
  mkdirSync(cache, { recursive: true });
  return withDirectoryLock(join(cache, 'build.lock'), () => {
    if (builtFrom(build) === hash) return build; // another process built it while this one waited
    const fresh = join(cache, `build-${process.pid}`);
    compile(root, fresh);
    writeFileSync(join(fresh, hashFile), hash);
    rmSync(build, { recursive: true, force: true });
    renameSync(fresh, build);
    return build;
  });
}

function builtFrom(build) {
  try {
    return readFileSync(join(build, hashFile), 'utf8');
  } catch {
    return undefined;
  }
}

function compile(root, outDir) {
  rmSync(outDir, { recursive: true, force: true });
  process.stderr.write('skyloom: compiling the sources (once per change)\n');
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  const flags = ['-p', join(root, 'tsconfig.build.json'), '--outDir', outDir, '--noCheck', '--declaration', 'false', '--sourceMap', 'false'];
  execFileSync(process.execPath, [tsc, ...flags], { stdio: ['ignore', 'inherit', 'inherit'] });
  for (const file of copiedFiles) copyFileSync(join(root, file), join(outDir, file));
  // type: module for the .js files, and the version the ledger records
  copyFileSync(join(root, 'package.json'), join(outDir, 'package.json'));
}

/** SHA-1 over every compiled file's path and content, and the files that steer the compilation. */
function sourceHash(root) {
  const hash = createHash('sha1');
  const files = ['package.json', 'tsconfig.json', 'tsconfig.build.json'];
  for (const folder of compiledFolders) files.push(...listFiles(root, join(root, folder)));
  for (const file of files.sort()) hash.update(`${file}\0`).update(readFileSync(join(root, file))).update('\0');
  return hash.digest('hex');
}

function listFiles(root, dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(root, path));
    else if (/\.(?:[cm]?[jt]s|json)$/.test(entry.name)) out.push(relative(root, path));
  }
  return out;
}
