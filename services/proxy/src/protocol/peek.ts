import type { Socket } from 'node:net';
import type { Protocol } from '@sockscale/common';
import { classify } from './classify';

export interface PeekOptions {
  /** Stop reading after this many bytes and decide from what is there. */
  maxBytes: number;
  /** Decide after this long even with nothing read (server-first protocols send nothing). */
  timeoutMs: number;
}

export const DEFAULT_PEEK: PeekOptions = { maxBytes: 16 * 1024 + 5, timeoutMs: 1000 };

export interface PeekResult {
  protocol: Protocol;
  serverName?: string;
  /** Every byte read, in order: the caller sends them to the destination first. */
  data: Buffer;
  /** Why the peek ended: classified, the byte limit, the deadline, or the client half-closed / closed. */
  ended: 'classified' | 'limit' | 'timeout' | 'end' | 'close';
}

/**
 * Reads the client's first bytes of a tunnel (after the SOCKS reply) until they classify, the
 * byte limit or the deadline is reached, or the client half-closes. The socket is left paused
 * with no 'data' listener, and every byte read is returned in `data` (nothing is lost or
 * changed); bytes beyond the limit stay in the socket's buffer. `early` is data the client sent
 * before the reply.
 */
export function peekProtocol(socket: Socket, early: Buffer, opts: PeekOptions): Promise<PeekResult> {
  return new Promise((resolve) => {
    let data = early;
    const deadline: { timer?: NodeJS.Timeout } = {};
    let done = false;
    const finish = (ended: PeekResult['ended'], final: boolean): void => {
      if (done) return;
      const c = classify(data, final);
      if (c.status === 'incomplete') return;
      done = true;
      if (deadline.timer !== undefined) clearTimeout(deadline.timer);
      socket.pause();
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.removeListener('close', onClose);
      resolve(c.serverName === undefined ? { protocol: c.protocol, data, ended } : { protocol: c.protocol, serverName: c.serverName, data, ended });
    };
    const onData = (chunk: Buffer): void => {
      data = data.length === 0 ? chunk : Buffer.concat([data, chunk]);
      if (data.length >= opts.maxBytes) finish('limit', true);
      else finish('classified', false);
    };
    const onEnd = (): void => finish('end', true);
    const onClose = (): void => finish('close', true);
    finish('classified', false);
    if (done) return;
    if (data.length >= opts.maxBytes) return finish('limit', true);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onClose);
    deadline.timer = setTimeout(() => finish('timeout', true), opts.timeoutMs);
    socket.resume();
  });
}
