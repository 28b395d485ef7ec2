/**
 * A comlink endpoint for a host that has not connected yet: the pool places units on a Slurm host as
 * soon as the run starts, while its process may still be starting. Messages posted meanwhile wait
 * here and go out, in order, once `attach` binds the endpoint to the host's connection.
 *
 * It does not time out (the launcher fails a host that never connects, which rejects the calls).
 */
import type * as Comlink from 'comlink';
import type { ChannelId, EndpointListener, FramedSocket } from './framed-socket.ts';

type Target = Comlink.Endpoint & { close(): void };

export class LateEndpoint implements Comlink.Endpoint {
  #target: Target | undefined;
  #posts: unknown[] = [];
  #listeners: EndpointListener[] = [];
  #closed = false;

  attach(socket: FramedSocket, channel: ChannelId): void {
    if (this.#closed) return;
    const target = (this.#target = socket.endpoint(channel));
    for (const listener of this.#listeners) target.addEventListener('message', listener);
    for (const message of this.#posts) target.postMessage(message);
    this.#posts = [];
    this.#listeners = [];
  }

  postMessage(message: unknown): void {
    if (this.#target) this.#target.postMessage(message);
    else if (!this.#closed) this.#posts.push(message);
  }

  addEventListener(type: string, listener: EndpointListener): void {
    if (this.#target) this.#target.addEventListener(type, listener);
    else this.#listeners.push(listener);
  }

  removeEventListener(type: string, listener: EndpointListener): void {
    if (this.#target) this.#target.removeEventListener(type, listener);
    else this.#listeners = this.#listeners.filter((l) => l !== listener);
  }

  close(): void {
    this.#closed = true;
    this.#posts = [];
    this.#target?.close();
  }
}
