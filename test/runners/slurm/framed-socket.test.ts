import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { Channel, FramedSocket, type FramedSocketOptions } from '../../../runners/slurm/framed-socket.ts';

let server: Server | undefined;
afterEach(() => server?.close());

/** Two framed ends of one loopback connection. */
async function pair(options: Partial<FramedSocketOptions> = {}, serverOptions: Partial<FramedSocketOptions> = {}) {
  const closes: { side: string; error: Error | undefined }[] = [];
  const make = (socket: Socket, side: string, extra: Partial<FramedSocketOptions>) =>
    new FramedSocket(socket, { heartbeatMs: 50, timeoutMs: 5_000, maxFrameBytes: 2 ** 32 - 1, onClose: (error) => closes.push({ side, error }), ...extra });
  server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  const [socket] = await accepted;
  return { a: make(client, 'client', options), b: make(socket, 'server', serverOptions), closes, client, socket };
}

describe('FramedSocket', () => {
  it('carries typed arrays, maps and nested values intact, split over many TCP chunks, per channel and in order', async () => {
    const { a, b } = await pair();
    const big = new Float32Array(300_000).map((_, i) => i * 0.5);
    const got: unknown[] = [];
    b.on(Channel.ToHost, (m) => got.push(m));
    a.send(Channel.ToHost, { image: big, meta: new Map([['k', 1n]]) });
    a.send(Channel.ToCoordinator, 'other channel');
    a.send(Channel.ToHost, [1, undefined, 'x']);
    await expect.poll(() => got.length, { timeout: 5_000 }).toBe(2);
    const first = got[0] as { image: Float32Array; meta: Map<string, bigint> };
    expect(first.image).toBeInstanceOf(Float32Array);
    expect(first.image).toStrictEqual(big);
    expect(first.meta.get('k')).toBe(1n);
    expect(got[1]).toStrictEqual([1, undefined, 'x']);
    expect(await b.once(Channel.ToCoordinator)).toBe('other channel'); // queued until someone listened
  });

  it('drops a connection whose frame exceeds the allowed size, before reading its body', async () => {
    const { a, closes } = await pair({}, { maxFrameBytes: 1024 });
    a.send(Channel.Hello, 'x'.repeat(10_000));
    await expect.poll(() => closes.find((c) => c.side === 'server'), { timeout: 5_000 }).toBeDefined();
    expect(closes.find((c) => c.side === 'server')?.error?.message).toMatch(/exceeds the 1024 allowed/);
  });

  it('drops a peer that stops sending heartbeats within the timeout, so nobody waits for ever', async () => {
    const { client, closes } = await pair({}, { timeoutMs: 300 });
    // The client stays connected but sends nothing more, as a frozen process or a vanished node would.
    (client as unknown as { write: () => boolean }).write = () => true;
    await expect.poll(() => closes.find((c) => c.side === 'server'), { timeout: 5_000 }).toBeDefined();
    expect(closes.find((c) => c.side === 'server')?.error?.message).toMatch(/no heartbeat/);
  });
});
