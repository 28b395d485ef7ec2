/**
 * Serves one `Host` on two comlink endpoints, whatever carries them (MessagePorts of a worker thread,
 * channels of a TCP socket): the coordinator calls the host on `hostEndpoint`; the host calls the
 * coordinator (to fetch another host's ref) on `coordinatorEndpoint`. Resolves once `shutdown` has
 * answered. Errors cross as `WireError`s (comlink would drop their code and cause).
 *
 * It does not open or close the endpoints.
 */
import * as Comlink from 'comlink';
import { errorFromWire, errorToWire } from '../../lib/error-wire.ts';
import type { HostGauge } from './host-gauge.ts';
import { Host } from './host.ts';
import { preloadModule } from './load-algorithm.ts';
import type { CoordinatorApi, HostApi, HostConfig } from './protocol.ts';

export async function serveHost(config: HostConfig, hostEndpoint: Comlink.Endpoint, coordinatorEndpoint: Comlink.Endpoint, gauge?: HostGauge): Promise<void> {
  const coordinator = Comlink.wrap<CoordinatorApi>(coordinatorEndpoint);
  const fetch = async (refId: string): Promise<unknown> => {
    const reply = await coordinator.fetch(refId);
    if (!reply.ok) throw errorFromWire(reply.error);
    return reply.value;
  };
  const host = await Host.open(config, fetch, gauge);
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const api: HostApi = {
    steps: (requests) => host.steps(requests),
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
      await Promise.all(preloads); // never reject; no import is left half done when the host ends
      const answer = await host.shutdown();
      // End only after comlink has posted this answer: a host that ends first loses it.
      setTimeout(finish, 0);
      return answer;
    },
  };
  Comlink.expose(api, hostEndpoint);
  const preloads = (config.preload ?? []).map(preloadModule);
  await finished;
}
