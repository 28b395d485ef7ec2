// The program srun starts on every task (slurm-launcher.ts names it). Written as .mjs so that it loads
// with plain `node` both from the sources and from dist/ (see runners/cluster/worker.mjs, which does
// the same for threads): from the sources it turns tsx on first, for skyloom's own .ts modules.
import { existsSync } from 'node:fs';

if (existsSync(new URL('./host-main.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import('./host-main.ts');
