// Runs a benchmark compiled, as a user runs skyloom (the compiled package, plain node, no tsx):
// `node bench/compiled.mjs <cluster|laptop|...> [args]` compiles lib, runners, algorithms, cli and
// bench into .bench-dist/ (tsconfig.bench.json) and runs .bench-dist/bench/<name>.js there.
//
// Why not under tsx: measured here, a process that has imported packages through tsx's loader hooks
// (rxjs, comlink, piscina...) runs the same compiled pixel loops ~1.6x slower than plain node, in the
// main thread only; worker threads that register tsx themselves do not slow down. Under tsx the
// inline baseline is the slow one, which flatters every speedup measured against it.
import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [name, ...args] = process.argv.slice(2);
if (!name) {
  console.error('usage: node bench/compiled.mjs <bench name> [args...]');
  process.exit(2);
}
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.bench.json')], { stdio: 'inherit' });
copyFileSync(join(root, 'package.json'), join(root, '.bench-dist', 'package.json')); // type: module, and the version the ledger reads
// Node flags given to this script (e.g. --expose-gc) go to the benchmark's process too.
execFileSync(process.execPath, [...process.execArgv, join(root, '.bench-dist', 'bench', `${name}.js`), ...args], { stdio: 'inherit' });
