// The barrier baseline's worker: raw worker_threads, no framework. For each round of one visit it runs
// its share of the visit's sensors (the kernel of bench/stragglers/workload.ts), answers their values
// and busy ms, then waits for the central's result (the barrier) before the next round. Loads the
// workload as skyloom's hosts do: from the .ts through tsx beside the sources, compiled with plain node.
import { existsSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

if (existsSync(new URL('./workload.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  register();
}
const { sensorRound, applyCentral } = await import('./workload.ts');

let states = new Map();
parentPort.on('message', (message) => {
  if (message.kind === 'visit') {
    states = new Map(message.sensors.map((s) => [s, 0.1 + s * 0.001]));
    parentPort.postMessage({ kind: 'ready' });
  } else if (message.kind === 'round') {
    const values = [];
    let busyMs = 0;
    for (const sensor of message.sensors) {
      const r = sensorRound(message.job, sensor, message.round, states.get(sensor));
      states.set(sensor, r.state);
      values.push({ sensor, value: r.state });
      busyMs += r.ms;
    }
    parentPort.postMessage({ kind: 'values', values, busyMs });
  } else if (message.kind === 'apply') {
    for (const [sensor, state] of states) states.set(sensor, applyCentral(state, message.central));
    parentPort.postMessage({ kind: 'applied', states: [...states] });
  }
});
parentPort.postMessage({ kind: 'started' });
