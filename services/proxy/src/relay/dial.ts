import { Socket, connect } from 'node:net';
import { SockscaleError } from '@sockscale/common';

/**
 * Opens an outbound TCP connection with a deadline. Resolves with the connected socket (which
 * already has an 'error' listener, so nothing can reach an unhandled 'error' event); rejects
 * with the socket error or ERR_SOCKSCALE_CONNECT_TIMEOUT. `abort` lets the session cancel a
 * dial when its client goes away.
 */
export function dial(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port, allowHalfOpen: true, noDelay: true });
    let done = false;
    const finish = (err: Error | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      sock.removeListener('connect', onConnect);
      if (err !== null) {
        sock.destroy();
        reject(err);
      } else {
        resolve(sock);
      }
    };
    const onConnect = (): void => finish(null);
    const onAbort = (): void => finish(new SockscaleError('ERR_SOCKSCALE_ABORTED', 'client went away during connect'));
    const timer = setTimeout(() => finish(new SockscaleError('ERR_SOCKSCALE_CONNECT_TIMEOUT', `connect took longer than ${timeoutMs} ms`)), timeoutMs);
    sock.on('error', (err) => finish(err));
    sock.once('connect', onConnect);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Tries each address in order; returns the first connection or the last error. */
export async function dialFirst(hosts: readonly string[], port: number, timeoutMs: number, signal?: AbortSignal): Promise<Socket> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown = new SockscaleError('ERR_SOCKSCALE_NO_ADDRESS', 'no address to connect to');
  for (const host of hosts) {
    const left = deadline - Date.now();
    if (left <= 0) throw new SockscaleError('ERR_SOCKSCALE_CONNECT_TIMEOUT', `connect took longer than ${timeoutMs} ms`);
    try {
      return await dial(host, port, left, signal);
    } catch (err) {
      lastErr = err;
      if ((err as { code?: string }).code === 'ERR_SOCKSCALE_ABORTED') throw err;
    }
  }
  throw lastErr;
}
