// `npm run build`: compiles lib, runners, algorithms and cli into dist/ (or the directory given as
// the first argument) and makes it a package of its own, runnable with plain `node`.
//
// Why a package of its own rather than conditional exports in the root package.json: in this
// repository `import 'skyloom'` must keep resolving to the .ts sources (the README's example, run with
// tsx, and the cluster's worker threads, which start with no execArgv, so a `--conditions` flag would
// not reach them); npm cannot swap `exports` at publish time (publishConfig does that in pnpm only).
// So the root package stays the sources (private) and dist/ is what is published: `npm publish dist`.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(process.argv[2] ?? join(root, 'dist'));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(outDir, { recursive: true, force: true }); // no stale modules of deleted sources
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir], { stdio: 'inherit' });
// Files used as they are (excluded from the compilation in tsconfig.build.json).
for (const file of ['cli/report/report-charts.js']) copyFileSync(join(root, file), join(outDir, file));

/** `./lib/index.ts` → its compiled module and declarations; anything else (package.json) as it is. */
function compiledExport(target) {
  if (!target.endsWith('.ts')) return target;
  const stem = target.slice(0, -'.ts'.length);
  return { types: `${stem}.d.ts`, default: `${stem}.js` };
}

const source = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const manifest = {
  name: source.name,
  version: source.version,
  description: source.description,
  type: source.type,
  license: source.license,
  engines: source.engines,
  bin: source.bin, // cli/bin.mjs is emitted at the same path and runs the compiled CLI there
  exports: Object.fromEntries(Object.entries(source.exports).map(([key, target]) => [key, compiledExport(target)])),
  dependencies: source.dependencies,
};
writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`built ${outDir}`);
