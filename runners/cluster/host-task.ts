/**
 * The piscina task that *is* a host: it serves a `Host` (`serve-host.ts`) on the host port and stays
 * running until the coordinator calls `shutdown`, so one task holds one worker thread for the whole
 * run. Host → coordinator calls (fetching another host's ref) go over a second port.
 *
 * The thread also keeps its gauge (`host-gauge.ts`) current: its thread ids once, and its buffer
 * memory every few milliseconds while it is free to run a timer (a thread busy in a step publishes
 * nothing: the coordinator reads that as busy).
 *
 * If the thread dies (crash, `process.exit`, out of memory, terminated by the coordinator) piscina
 * rejects this task; the coordinator takes that as the host being lost. Resolves with the host id
 * after `shutdown` has answered.
 */
import { readlinkSync } from 'node:fs';
import { threadId, type MessagePort } from 'node:worker_threads';
import type * as Comlink from 'comlink';
import { returnedUncollected } from '../../lib/memory/return-pages.ts';
import { HostGauge, type GaugeHandle } from './host-gauge.ts';
import type { HostConfig } from './protocol.ts';
import { serveHost } from './serve-host.ts';

export interface HostTaskInput {
  readonly config: HostConfig;
  /** Where the coordinator calls this host. */
  readonly hostPort: MessagePort;
  /** Where this host calls the coordinator. */
  readonly coordinatorPort: MessagePort;
  /** Shared memory the coordinator reads (see `host-gauge.ts`). */
  readonly gauge?: GaugeHandle;
}

/** How often a free host thread publishes its buffer memory. */
const publishEveryMs = 20;

export async function hostTask(input: HostTaskInput): Promise<number> {
  const gauge = input.gauge ? new HostGauge(input.gauge) : undefined;
  let publisher: NodeJS.Timeout | undefined;
  if (gauge) {
    gauge.identify(threadId, osThreadId());
    // less the pages this thread's store gave back, which V8 counts until it collects their buffers
    const publish = (): void => gauge.publishMemory(process.memoryUsage().arrayBuffers - returnedUncollected());
    publish();
    publisher = setInterval(publish, publishEveryMs).unref();
  }
  try {
    await serveHost(input.config, input.hostPort as unknown as Comlink.Endpoint, input.coordinatorPort as unknown as Comlink.Endpoint, gauge);
  } finally {
    clearInterval(publisher);
  }
  input.hostPort.close();
  input.coordinatorPort.close();
  return input.config.hostId;
}

/** This thread's id in the OS (Linux: `/proc/thread-self` → `<pid>/task/<tid>`), or 0 where unknown. */
function osThreadId(): number {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isSafeInteger(tid) ? tid : 0;
  } catch {
    return 0;
  }
}
