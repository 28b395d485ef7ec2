/**
 * bench/slurm-fanin: what one coordinator costs per gather round as hosts grow, for docs/slurm.md's
 * 1,000-node plan. The coordinator is the real one (HostPool, HostHandle, the cluster group loop,
 * runGroup, comlink); the hosts are stubs in this process that answer at once (each member gathers a
 * small summary `rounds` times, then returns), reached through endpoints that v8-serialize every
 * message both ways as the TCP transport does (minus the kernel). So the CPU measured is the
 * coordinator's per-message work plus the stubs' (small) serialization: an upper bound.
 *
 *   flock /tmp/skyloom-bench.lock node --import tsx bench/slurm-fanin.ts [-- --hosts 16,64,256,1024 --units 4 --rounds 5]
 *
 * It does not measure the network, the hosts' work or Slurm's start-up.
 */
import { parseArgs } from 'node:util';
import { deserialize, serialize } from 'node:v8';
import * as Comlink from 'comlink';
import { StatsRecorder } from '../lib/stats.ts';
import { runClusterGroup } from '../runners/cluster/cluster-group.ts';
import type { HostLauncher, LaunchedHost } from '../runners/cluster/host-launcher.ts';
import { HostPool } from '../runners/cluster/host-pool.ts';
import type { CoordinatorApi, HostAnswer, HostApi, HostConfig, WirePause, WireReply, WireSpec } from '../runners/cluster/protocol.ts';

const { values: args } = parseArgs({ options: { hosts: { type: 'string', default: '16,64,256,1024' }, units: { type: 'string', default: '4' }, rounds: { type: 'string', default: '5' } } });
const unitsPerHost = Number(args.units);
const rounds = Number(args.rounds);
let messages = 0;

/** Two endpoints joined in this process; every message is v8-serialized, as on a socket. */
function joinedEndpoints(): [Comlink.Endpoint & { close(): void }, Comlink.Endpoint & { close(): void }] {
  type L = Parameters<Comlink.Endpoint['addEventListener']>[1];
  const make = (listeners: Set<L>, peer: () => Set<L>) => ({
    postMessage: (message: unknown) => {
      messages++;
      const bytes = serialize(message);
      setImmediate(() => {
        const data = deserialize(bytes);
        for (const l of peer()) (typeof l === 'function' ? l : l.handleEvent.bind(l))({ data } as MessageEvent);
      });
    },
    addEventListener: (_t: string, l: L) => void listeners.add(l),
    removeEventListener: (_t: string, l: L) => void listeners.delete(l),
    close: () => listeners.clear(),
  });
  const a = new Set<L>();
  const b = new Set<L>();
  return [make(a, () => b), make(b, () => a)];
}

const zeroStats = { units: 0, primitives: { ...new StatsRecorder().primitives }, peakStepBytes: 0 };
const noEvents = { host: 'stub', at: new Float64Array(0), codes: new Int32Array(0), bodies: [], strings: [] };
const answer = <T>(result: T): HostAnswer<T> => ({ result, events: noEvents, stats: zeroStats, peakBytes: 0 });

/** A host that runs no code: the root scatters `members` children; each child gathers `rounds` times. */
function stubHost(members: number): HostApi {
  const gathers = new Map<string, number>();
  const child = (i: number): WireSpec => ({ moduleUrl: 'file:///stub.js', name: 'child', input: i, path: `root/c:${i}`, index: i, size: members });
  return {
    async steps(requests): Promise<HostAnswer<WirePause[]>> {
      return answer(requests.map(({ path, reply, spec }) => step(path, reply, spec)));
    },
    central: async (_path, values) => answer<WireReply>({ ok: true, value: { offset: values.length, gain: 1 } }),
    cancel: async () => answer(null),
    read: async () => ({ ok: false, error: { name: 'Error', message: 'stub' } }) as WireReply,
    adopt: async () => ({ ok: false, error: { name: 'Error', message: 'stub' } }) as WireReply,
    shutdown: async () => answer(null),
  };
  function step(path: string, reply: WireReply, spec: WireSpec | undefined): WirePause {
    if (path === 'root') return spec ? { kind: 'scatter', site: 's', group: 'root/c', children: Array.from({ length: members }, (_, i) => child(i)) } : { kind: 'returned', site: 'r', value: (reply as { value: unknown }).value };
    const done = gathers.get(path) ?? 0;
    gathers.set(path, done + 1);
    if (done === rounds) return { kind: 'returned', site: 'r', value: done };
    return { kind: 'gather', site: `g${done}`, value: { sum: 1.5, sumSq: 2.5, n: 1024 }, centralSite: 'fit', perMember: false };
  }
}

class StubLauncher implements HostLauncher {
  readonly hosts: number;
  readonly #members: number;
  constructor(hosts: number, members: number) {
    this.hosts = hosts;
    this.#members = members;
  }
  launch(_config: HostConfig, coordinator: CoordinatorApi): LaunchedHost {
    const [toHostNear, toHostFar] = joinedEndpoints();
    const [toCoordNear, toCoordFar] = joinedEndpoints();
    Comlink.expose(stubHost(this.#members), toHostFar);
    Comlink.expose(coordinator, toCoordNear);
    void toCoordFar;
    return { api: Comlink.wrap<HostApi>(toHostNear), links: [toHostNear, toCoordNear], ended: new Promise(() => {}) };
  }
  async close(): Promise<void> {}
}

console.log(`bench/slurm-fanin — stub hosts, ${unitsPerHost} units per host, ${rounds} gather rounds; coordinator CPU includes the stubs' serialization (upper bound)`);
console.log('hosts  members  messages/round  coordinator CPU/round  CPU per member-gather');
for (const hosts of String(args.hosts).split(',').map(Number)) {
  const members = hosts * unitsPerHost;
  const stats = new StatsRecorder();
  const pool = new HostPool({ launcher: new StubLauncher(hosts, members), host: { seed: 0, verify: false }, spillRoot: '/tmp/unused', sink: { emit: () => {}, stats } });
  const root: WireSpec = { moduleUrl: 'file:///stub.js', name: 'root', input: null, path: 'root', index: 0, size: 1 };
  messages = 0;
  const cpu0 = process.cpuUsage();
  await runClusterGroup({ pool, emit: () => {}, stats, retries: 0 }, [root], 'root', new AbortController().signal);
  const cpu = process.cpuUsage(cpu0);
  const perRound = (cpu.user + cpu.system) / 1000 / rounds;
  console.log(`${String(hosts).padStart(5)}  ${String(members).padStart(7)}  ${String(Math.round(messages / rounds)).padStart(14)}  ${perRound.toFixed(1).padStart(18)} ms  ${((perRound * 1000) / members).toFixed(1).padStart(17)} us`);
}
process.exit(0); // the stub hosts are never shut down
