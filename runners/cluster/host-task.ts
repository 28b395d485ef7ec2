/**
 * The piscina task that *is* a host: it serves a `Host` (`serve-host.ts`) on the host port and stays
 * running until the coordinator calls `shutdown`, so one task holds one worker thread for the whole
 * run. Host → coordinator calls (fetching another host's ref) go over a second port.
 *
 * If the thread dies (crash, `process.exit`, out of memory) piscina rejects this task; the coordinator
 * takes that as the host being lost. Resolves with the host id after `shutdown` has answered.
 */
import type { MessagePort } from 'node:worker_threads';
import type * as Comlink from 'comlink';
import type { HostConfig } from './protocol.ts';
import { serveHost } from './serve-host.ts';

export interface HostTaskInput {
  readonly config: HostConfig;
  /** Where the coordinator calls this host. */
  readonly hostPort: MessagePort;
  /** Where this host calls the coordinator. */
  readonly coordinatorPort: MessagePort;
}

export async function hostTask(input: HostTaskInput): Promise<number> {
  await serveHost(input.config, input.hostPort as unknown as Comlink.Endpoint, input.coordinatorPort as unknown as Comlink.Endpoint);
  input.hostPort.close();
  input.coordinatorPort.close();
  return input.config.hostId;
}
