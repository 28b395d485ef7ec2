// The worker entry piscina starts on each thread (host-pool.ts names it). Written as .mjs so that
// it loads with plain `node` both from the sources and from dist/, where the build emits it
// (tsconfig.build.json has allowJs; its `./x.ts` imports become `./x.js` there, as in every
// compiled file).
//
// From the sources (host-task.ts sits beside this file) the thread needs tsx for skyloom's own
// modules, and on Node 20 the main thread's loader hooks (node --import tsx) do not reach workers: so
// it registers tsx here. From dist/ it needs no tsx; a user's .ts algorithm is compiled into a cache
// and imported from there with plain node (lib/import-module.ts).
//
// The run's modules (piscina's workerData `preload`, see HostConfig.preload) start loading here, at
// the same time as the host's own: the graphs overlap (both are mostly skyloom's lib), so together
// they take ~the time of the larger instead of the sum (~140 ms less per host on a cold thread).
// A failure is left for the unit that needs the module to report.
import { existsSync } from 'node:fs';
import { workerData } from 'node:worker_threads';

if (existsSync(new URL('./host-task.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  register();
}
// The host's own modules start loading first, not after load-algorithm's: the loader reads and
// compiles both graphs at once.
const loadingHost = import('./host-task.ts');
const { preloadModule } = await import('./load-algorithm.ts');
for (const url of workerData?.preload ?? []) void preloadModule(url);
const { hostTask } = await loadingHost;

export default hostTask;
