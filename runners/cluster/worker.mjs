// The worker entry piscina starts on each thread. Written as .mjs because on Node 20 loader hooks
// registered in the main thread (node --import tsx) do not reach worker threads: registering tsx here
// lets this thread load skyloom's own .ts modules and users' .ts algorithms with plain import(), in one
// module graph; compiled .js algorithms (dist/) load the same way.
//
// The run's modules (piscina's workerData `preload`, see HostConfig.preload) start loading here, at
// the same time as the host's own: the graphs overlap (both are mostly skyloom's lib), so together
// they take ~the time of the larger instead of the sum (~140 ms less per host on a cold thread).
// A failure is left for the unit that needs the module to report.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
for (const url of workerData?.preload ?? []) import(url).catch(() => {});
const { hostTask } = await import('./host-task.ts');

export default hostTask;
