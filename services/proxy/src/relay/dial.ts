import { Socket, connect } from 'node:net';
import { SockscaleError } from '@sockscale/common';

/**
 * What `dial` needs to be cancellable: `AbortSignal` works, and so does the cheaper
 * `DialCanceller` below (no EventTarget, no listener bookkeeping per session).
 */
export interface DialCancel {
  readonly aborted: boolean;
  addEventListener(type: 'abort', fn: () => void, opts?: { once?: boolean }): void;
  removeEventListener(type: 'abort', fn: () => void): void;
}

/** A one-shot cancel switch for the connect path: one slot, no events. */
export class DialCanceller implements DialCancel {
  aborted = false;
  private fn: (() => void) | undefined;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const fn = this.fn;
    this.fn = undefined;
    fn?.();
  }

  addEventListener(_type: 'abort', fn: () => void): void {
    this.fn = fn;
  }

  removeEventListener(_type: 'abort', fn: () => void): void {
    if (this.fn === fn) this.fn = undefined;
  }
}

const abortedError = (): SockscaleError => new SockscaleError('ERR_SOCKSCALE_ABORTED', 'client went away during connect');
const timeoutError = (ms: number): SockscaleError => new SockscaleError('ERR_SOCKSCALE_CONNECT_TIMEOUT', `connect took longer than ${ms} ms`);

function ignoreError(): void {
  // the owner of the socket (relay, session) handles errors with its own listener
}

/** One outbound connect in flight; its methods are the socket's listeners (no closures). */
class Dial {
  private done = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly sock: Socket,
    private readonly timeoutMs: number,
    private readonly signal: DialCancel | undefined,
    private readonly resolve: (s: Socket) => void,
    private readonly reject: (err: Error) => void,
  ) {
    this.timer = setTimeout(this.onTimeout, timeoutMs);
    sock.on('error', this.onError);
    sock.once('connect', this.onConnect);
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  private onConnect = (): void => this.finish(null);
  private onError = (err: Error): void => this.finish(err);
  private onAbort = (): void => this.finish(abortedError());
  private onTimeout = (): void => this.finish(timeoutError(this.timeoutMs));

  private finish(err: Error | null): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    if (err !== null) {
      this.sock.removeListener('connect', this.onConnect);
      this.sock.destroy();
      this.reject(err);
    } else {
      // Keep an 'error' listener on the socket, but not this object (its timer, closures and
      // promise callbacks would otherwise live as long as the tunnel).
      this.sock.on('error', ignoreError);
      this.sock.removeListener('error', this.onError);
      this.resolve(this.sock);
    }
  }
}

/**
 * Opens an outbound TCP connection with a deadline. Resolves with the connected socket (which
 * already has an 'error' listener, so nothing can reach an unhandled 'error' event); rejects
 * with the socket error or ERR_SOCKSCALE_CONNECT_TIMEOUT. `signal` lets the session cancel a
 * dial when its client goes away.
 */
export function dial(host: string, port: number, timeoutMs: number, signal?: DialCancel): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(abortedError());
      return;
    }
    const sock = connect({ host, port, allowHalfOpen: true, noDelay: true });
    new Dial(sock, timeoutMs, signal, resolve, reject);
  });
}

/** Tries each address in order; returns the first connection or the last error. */
export async function dialFirst(hosts: readonly string[], port: number, timeoutMs: number, signal?: DialCancel): Promise<Socket> {
  if (hosts.length === 1) return dial(hosts[0] as string, port, timeoutMs, signal); // the common case
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (const host of hosts) {
    const left = deadline - Date.now();
    if (left <= 0) throw timeoutError(timeoutMs);
    try {
      return await dial(host, port, left, signal);
    } catch (err) {
      lastErr = err;
      if ((err as { code?: string }).code === 'ERR_SOCKSCALE_ABORTED') throw err;
    }
  }
  throw (lastErr as Error | undefined) ?? new SockscaleError('ERR_SOCKSCALE_NO_ADDRESS', 'no address to connect to');
}
