#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=262144 node --max-semi-space-size=1 --optimize-for-size
// The `skyloom` command. Its first line starts node as `npm start` does (package.json): glibc's
// MALLOC_MMAP_THRESHOLD_, a small young generation and V8's memory-saving heap limits, so freed
// memory goes back to the kernel and the JS heap stays near what it holds (see
// docs/architecture.md, "Freed memory"); `node cli/bin.mjs` runs without them. From the sources (main.ts sits beside this file: a fresh clone) it runs a
// compiled copy of them, built once per change (launcher/compiled-build.mjs), with plain node: the
// main thread then runs at compiled speed and without tsx's loader thread. SKYLOOM_FROM_SOURCES=1
// runs the .ts sources through tsx instead (stack traces into the sources). From dist/, where the
// build emits this file with `./main.ts` rewritten to `./main.js` (tsconfig.build.json: allowJs), it
// runs the compiled CLI beside it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const fromSources = existsSync(new URL('./main.ts', import.meta.url));
// `skyloom exec <program>` loads only what running the program needs (exec-main.ts).
const entry = process.argv[2] === 'exec' ? 'exec-main' : 'main';
let mainModule = `./${entry}.ts`;
if (fromSources && process.env.SKYLOOM_FROM_SOURCES === '1') {
  const { register } = await import('tsx/esm/api');
  register();
} else if (fromSources) {
  const { compiledBuild } = await import('./launcher/compiled-build.mjs');
  const build = compiledBuild(fileURLToPath(new URL('..', import.meta.url)));
  mainModule = new URL(`cli/${entry}.js`, `file://${build}/`).href;
}
const { main } = await import(mainModule);
process.exitCode = await main(process.argv);
