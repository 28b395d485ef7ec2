#!/usr/bin/env node
// The `skyloom` command. From the sources (main.ts sits beside this file: a fresh clone) it registers
// tsx so the TypeScript runs as it is; from dist/, where the build emits this file with `./main.ts`
// rewritten to `./main.js` (tsconfig.build.json: allowJs), it runs the compiled CLI with no tsx.
import { existsSync } from 'node:fs';

if (existsSync(new URL('./main.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  register();
}
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv);
