/**
 * A skyloom host process (one Slurm task): connects to the coordinator named in its environment,
 * says hello with the run's secret, receives its `HostConfig`, serves the host protocol
 * (`serve-host.ts`, the same code a worker thread runs) until the coordinator's `shutdown`, says bye
 * and exits. If the coordinator's connection drops, the process exits with status 1: nothing is left
 * running for a run that is gone.
 *
 * The secret is removed from `process.env` before any algorithm module loads.
 * It does not cover starting the process (srun, via `host-process.mjs`).
 */
import { connect } from 'node:net';
import { hostname } from 'node:os';
import type { HostConfig } from '../cluster/protocol.ts';
import { serveHost } from '../cluster/serve-host.ts';
import { Channel, FramedSocket } from './framed-socket.ts';
import { hostEnv, type HostHello } from './host-hello.ts';

const address = process.env[hostEnv.coordinator];
const secret = process.env[hostEnv.secret];
delete process.env[hostEnv.secret];
if (!address || !secret) {
  console.error(`skyloom host: ${hostEnv.coordinator} and ${hostEnv.secret} must be set (this program is started by the Slurm runner)`);
  process.exit(2);
}
const at = address.lastIndexOf(':');
const socket = connect({ host: address.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(address.slice(at + 1)) });
let done = false;
const framed = new FramedSocket(socket, {
  heartbeatMs: Number(process.env[hostEnv.heartbeatMs] ?? 1000),
  timeoutMs: Number(process.env[hostEnv.timeoutMs] ?? 60_000),
  maxFrameBytes: 2 ** 32 - 1,
  onClose: (error) => {
    if (done) return;
    console.error(`skyloom host: the coordinator's connection dropped${error ? `: ${error.message}` : ''}`);
    process.exit(1);
  },
});
const hello: HostHello = { secret, task: Number(process.env.SLURM_PROCID ?? -1), node: process.env.SLURMD_NODENAME ?? hostname(), pid: process.pid };
framed.send(Channel.Hello, hello);
const config = (await framed.once(Channel.Config)) as HostConfig;
await serveHost({ ...config, label: `slurm task ${hello.task} on ${hello.node}` }, framed.endpoint(Channel.ToHost), framed.endpoint(Channel.ToCoordinator));
done = true;
framed.send(Channel.Bye, null);
framed.end();
socket.once('close', () => process.exit(0));
if (socket.destroyed) process.exit(0);
