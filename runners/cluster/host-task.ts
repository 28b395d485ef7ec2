/**
 * The piscina task that *is* a host: it opens a `Host`, exposes it with comlink on the host port, and
 * stays running until the coordinator calls `shutdown`, so one task holds one worker thread for the
 * whole run. Host → coordinator calls (fetching another host's ref) go over a second port.
 *
 * If the thread dies (crash, `process.exit`, out of memory) piscina rejects this task; the coordinator
 * takes that as the host being lost. Resolves with the host id after `shutdown` has answered.
 */
import type { MessagePort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { errorFromWire, errorToWire } from '../../lib/error-wire.ts';
import { Host } from './host.ts';
import { preloadModule } from './load-algorithm.ts';
import type { CoordinatorApi, HostApi, HostConfig } from './protocol.ts';

export interface HostTaskInput {
  readonly config: HostConfig;
  /** Where the coordinator calls this host. */
  readonly hostPort: MessagePort;
  /** Where this host calls the coordinator. */
  readonly coordinatorPort: MessagePort;
}

export async function hostTask(input: HostTaskInput): Promise<number> {
  const coordinator = Comlink.wrap<CoordinatorApi>(input.coordinatorPort as unknown as Comlink.Endpoint);
  const host = await Host.open(input.config, async (refId) => {
    const reply = await coordinator.fetch(refId);
    if (!reply.ok) throw errorFromWire(reply.error);
    return reply.value;
  });
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const api: HostApi = {
    step: (path, reply, spec) => host.step(path, reply, spec),
    central: (path, values, members) => host.central(path, values, members),
    cancel: (path) => host.cancel(path),
    read: async (refId) => {
      try {
        const { value, transfer } = await host.read(refId);
        return Comlink.transfer({ ok: true, value }, transfer);
      } catch (error) {
        return { ok: false, error: errorToWire(error) };
      }
    },
    adopt: (value) => host.adopt(value),
    shutdown: async () => {
      await Promise.all(preloads); // never reject; no import is left half done when the thread ends
      const answer = await host.shutdown();
      // End the task only after comlink has posted this answer: a task that ends first loses it.
      setTimeout(finish, 0);
      return answer;
    },
  };
  Comlink.expose(api, input.hostPort as unknown as Comlink.Endpoint);
  const preloads = (input.config.preload ?? []).map(preloadModule);
  await finished;
  input.hostPort.close();
  input.coordinatorPort.close();
  return input.config.hostId;
}
