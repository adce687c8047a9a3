import { createServer, type Server, type Socket } from 'node:net';
import { normalizeIp, type Logger } from '@sockscale/common';
import { Reply } from '../socks5';

export interface BindOptions {
  /** Address to listen on: the local address the client reached us on. */
  localHost: string;
  /** Only a peer from this IP is accepted, when set (the client's DST.ADDR). */
  expectedIp: string | undefined;
  timeoutMs: number;
  signal: AbortSignal;
  /** Called once listening, with the address for the first reply. */
  onListening: (host: string, port: number) => void;
  /** Policy check of an incoming peer. */
  admit: (ip: string, port: number) => boolean;
  log: Logger;
}

export type BindResult = { ok: true; peer: Socket } | { ok: false; reply: number; message: string };

/**
 * RFC 1928 BIND: listen on an ephemeral port, report it, accept exactly one peer (the expected
 * one, when the client named it, and one the policy admits), then stop listening. Strangers are
 * closed and waiting continues until the deadline, which answers 0x06.
 */
export function acceptBindPeer(o: BindOptions): Promise<BindResult> {
  return new Promise((resolve) => {
    const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true });
    let settled = false;
    const settle = (r: BindResult): void => {
      if (settled) {
        if (r.ok) r.peer.destroy();
        return;
      }
      settled = true;
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      server.close();
      resolve(r);
    };
    const onAbort = (): void => settle({ ok: false, reply: Reply.GeneralFailure, message: 'client went away during BIND' });
    const timer = setTimeout(() => settle({ ok: false, reply: Reply.TtlExpired, message: `no peer connected within ${o.timeoutMs} ms` }), o.timeoutMs);
    o.signal.addEventListener('abort', onAbort, { once: true });
    server.on('error', (err) => settle({ ok: false, reply: Reply.GeneralFailure, message: `BIND listener failed: ${err.message}` }));
    server.on('connection', (peer: Socket) => {
      peer.on('error', () => undefined);
      const ip = normalizeIp(peer.remoteAddress ?? '') ?? '';
      const port = peer.remotePort ?? 0;
      if (settled) {
        peer.destroy();
        return;
      }
      if (o.expectedIp !== undefined && ip !== o.expectedIp) {
        o.log.info({ peer: `${ip}:${port}`, expected: o.expectedIp }, 'BIND peer rejected: not the expected address');
        peer.destroy();
        return;
      }
      if (!o.admit(ip, port)) {
        peer.destroy();
        settle({ ok: false, reply: Reply.NotAllowed, message: 'BIND peer denied by policy' });
        return;
      }
      settle({ ok: true, peer });
    });
    const host = normalizeIp(o.localHost) ?? o.localHost;
    server.listen({ host, port: 0 }, () => {
      const a = server.address();
      if (a === null || typeof a === 'string') {
        settle({ ok: false, reply: Reply.GeneralFailure, message: 'BIND listener has no address' });
        return;
      }
      if (!settled) o.onListening(a.address, a.port);
    });
  });
}
