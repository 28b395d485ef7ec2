// The worker entry piscina starts on each thread. Written as .mjs because on Node 20 loader hooks
// registered in the main thread (node --import tsx) do not reach worker threads: registering tsx here
// lets this thread load skyloom's own .ts modules and users' .ts algorithms with plain import(), in one
// module graph; compiled .js algorithms (dist/) load the same way.
import { register } from 'tsx/esm/api';

register();
const { hostTask } = await import('./host-task.ts');

export default hostTask;
