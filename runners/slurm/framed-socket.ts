/**
 * A TCP stream cut into frames, carrying comlink's messages between the coordinator and a host
 * process. A frame is a 4-byte big-endian body length, a 1-byte channel and a body written with
 * `v8.serialize` (structured-clone semantics: typed arrays travel as their raw bytes, not as JSON).
 * Channels keep the calls of each direction apart (coordinator → host, host → coordinator) and carry
 * the hello, the host's settings, heartbeats and the closing "bye".
 *
 * Heartbeats: each side sends one every `heartbeatMs` and drops the connection when nothing at all
 * has arrived for `timeoutMs`, so a host on a node that vanished (no FIN ever comes) is noticed in
 * bounded time. Until `maxFrameBytes` is raised (after authentication), a larger frame drops the
 * connection, so a stranger cannot make the coordinator buffer gigabytes.
 *
 * It does not authenticate (the launcher does) and does not reconnect: a dropped connection is a lost host.
 */
import type { Socket } from 'node:net';
import { deserialize, serialize } from 'node:v8';
import type * as Comlink from 'comlink';

export const Channel = { Heartbeat: 0, Hello: 1, Config: 2, ToHost: 3, ToCoordinator: 4, Bye: 5 } as const;
export type ChannelId = (typeof Channel)[keyof typeof Channel];

export interface FramedSocketOptions {
  readonly heartbeatMs: number;
  readonly timeoutMs: number;
  /** Largest body accepted (raise it with `allowFrames`). */
  readonly maxFrameBytes: number;
  /** Called once when the connection is gone: `error` is undefined after a clean end. */
  readonly onClose: (error: Error | undefined) => void;
}

const headerBytes = 5;
type Listener = (message: unknown) => void;
/** A listener as comlink passes it (a function, or an object with handleEvent). */
export type EndpointListener = Parameters<Comlink.Endpoint['addEventListener']>[1];

export class FramedSocket {
  readonly #socket: Socket;
  readonly #options: FramedSocketOptions;
  readonly #listeners = new Map<number, Set<Listener>>();
  readonly #queued = new Map<number, unknown[]>();
  readonly #timer: NodeJS.Timeout;
  #maxFrameBytes: number;
  #lastHeard = Date.now();
  #header = Buffer.alloc(headerBytes);
  #headerFill = 0;
  #body: Buffer | undefined;
  #bodyFill = 0;
  #channel = 0;
  #failure: Error | undefined;
  #closed = false;

  constructor(socket: Socket, options: FramedSocketOptions) {
    this.#socket = socket;
    this.#options = options;
    this.#maxFrameBytes = options.maxFrameBytes;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('error', (error) => (this.#failure ??= error));
    socket.on('close', () => this.#onClose());
    this.#timer = setInterval(() => this.#beat(), options.heartbeatMs);
    this.#timer.unref();
  }

  get remoteAddress(): string {
    return `${this.#socket.remoteAddress ?? '?'}:${this.#socket.remotePort ?? '?'}`;
  }

  /** Lets frames up to `bytes` through (after the peer has authenticated). */
  allowFrames(bytes: number): void {
    this.#maxFrameBytes = bytes;
  }

  send(channel: ChannelId, message: unknown): void {
    if (this.#closed || this.#socket.destroyed) return; // a lost connection: the loss is reported by onClose
    const body = serialize(message);
    const header = Buffer.allocUnsafe(headerBytes);
    header.writeUInt32BE(body.length, 0);
    header.writeUInt8(channel, 4);
    this.#socket.write(header);
    this.#socket.write(body);
  }

  /** Calls `listener` with every message on `channel`, first those that arrived before anyone listened. */
  on(channel: ChannelId, listener: Listener): () => void {
    let set = this.#listeners.get(channel);
    if (!set) this.#listeners.set(channel, (set = new Set()));
    set.add(listener);
    const queued = this.#queued.get(channel);
    this.#queued.delete(channel);
    for (const message of queued ?? []) listener(message);
    return () => set.delete(listener);
  }

  /** The next message on `channel`. */
  once(channel: ChannelId): Promise<unknown> {
    const queued = this.#queued.get(channel);
    if (queued && queued.length > 0) {
      const first = queued.shift();
      if (queued.length === 0) this.#queued.delete(channel);
      return Promise.resolve(first);
    }
    return new Promise((resolve) => {
      const off = this.on(channel, (message) => {
        off();
        resolve(message);
      });
    });
  }

  /** A comlink endpoint on `channel` (both sides of a call use the same channel). */
  endpoint(channel: ChannelId): Comlink.Endpoint & { close(): void } {
    const wrapped = new Map<EndpointListener, Listener>();
    return {
      postMessage: (message: unknown) => this.send(channel, message),
      addEventListener: (_type: string, listener: EndpointListener) => {
        const call: Listener = (data) => (typeof listener === 'function' ? listener({ data } as MessageEvent) : listener.handleEvent({ data } as MessageEvent));
        wrapped.set(listener, call);
        this.on(channel, call);
      },
      removeEventListener: (_type: string, listener: EndpointListener) => {
        const call = wrapped.get(listener);
        if (call) this.#listeners.get(channel)?.delete(call);
        wrapped.delete(listener);
      },
      close: () => this.destroy(),
    };
  }

  /** Ends the connection after what was sent has gone out. */
  end(): void {
    this.#socket.end();
  }

  /** Drops the connection at once; `onClose` gets `error`. */
  destroy(error?: Error): void {
    if (error) this.#failure ??= error;
    this.#socket.destroy();
  }

  #beat(): void {
    if (Date.now() - this.#lastHeard > this.#options.timeoutMs) {
      this.destroy(new Error(`no heartbeat from ${this.remoteAddress} for ${Math.round(this.#options.timeoutMs / 1000)} s`));
      return;
    }
    this.send(Channel.Heartbeat, null);
  }

  #receive(chunk: Buffer): void {
    this.#lastHeard = Date.now();
    let at = 0;
    while (at < chunk.length && !this.#socket.destroyed) {
      if (!this.#body) {
        const n = Math.min(headerBytes - this.#headerFill, chunk.length - at);
        chunk.copy(this.#header, this.#headerFill, at, at + n);
        this.#headerFill += n;
        at += n;
        if (this.#headerFill < headerBytes) return;
        const length = this.#header.readUInt32BE(0);
        this.#channel = this.#header.readUInt8(4);
        this.#headerFill = 0;
        if (length > this.#maxFrameBytes) return this.destroy(new Error(`a frame of ${length} bytes from ${this.remoteAddress} exceeds the ${this.#maxFrameBytes} allowed`));
        this.#body = Buffer.allocUnsafeSlow(length); // not pooled: typed arrays read from it keep only their own frame alive
        this.#bodyFill = 0;
      }
      const n = Math.min(this.#body.length - this.#bodyFill, chunk.length - at);
      chunk.copy(this.#body, this.#bodyFill, at, at + n);
      this.#bodyFill += n;
      at += n;
      if (this.#bodyFill === this.#body.length) {
        const body = this.#body;
        this.#body = undefined;
        this.#dispatch(this.#channel, body);
      }
    }
  }

  #dispatch(channel: number, body: Buffer): void {
    let message: unknown;
    try {
      message = deserialize(body);
    } catch (error) {
      return this.destroy(new Error(`an unreadable frame from ${this.remoteAddress}: ${(error as Error).message}`));
    }
    if (channel === Channel.Heartbeat) return;
    const listeners = this.#listeners.get(channel);
    if (listeners && listeners.size > 0) for (const listener of [...listeners]) listener(message);
    else this.#queued.set(channel, [...(this.#queued.get(channel) ?? []), message]);
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#options.onClose(this.#failure);
  }
}
