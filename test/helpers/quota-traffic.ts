/** Traffic helpers for quota tests: a firehose target and SOCKS downloads that count bytes. */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { SocksClient } from 'socks';

/** A target that streams bytes to every connection as fast as the reader takes them; counts bytes sent. */
export async function startFirehose(): Promise<{ port: number; sent(): number; close(): Promise<void> }> {
  const chunk = Buffer.alloc(16 * 1024, 0x61);
  const sockets = new Set<Socket>();
  let sent = 0;
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    const pump = (): void => {
      while (!s.destroyed) {
        sent += chunk.length;
        if (!s.write(chunk)) break;
      }
    };
    s.on('drain', pump);
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    sent: () => sent,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export interface Download {
  received: number;
  closed: boolean;
  socket: Socket;
}

/** Opens a CONNECT through the proxy and counts bytes received until the socket closes. */
export async function download(proxy: { host: string; port: number }, user: string, password: string, targetPort: number): Promise<Download> {
  const { socket } = await SocksClient.createConnection({
    proxy: { host: proxy.host, port: proxy.port, type: 5, userId: user, password },
    command: 'connect',
    destination: { host: '127.0.0.1', port: targetPort },
    timeout: 5000,
  });
  const d: Download = { received: 0, closed: false, socket };
  socket.on('data', (b: Buffer) => (d.received += b.length));
  socket.on('error', () => undefined);
  socket.on('close', () => (d.closed = true));
  return d;
}

/** SOCKS CONNECT that is expected to fail: resolves with the reply code (e.g. 2), or 0 on success. */
export async function connectReply(proxy: { host: string; port: number }, user: string, password: string, targetPort: number): Promise<number> {
  try {
    const { socket } = await SocksClient.createConnection({
      proxy: { host: proxy.host, port: proxy.port, type: 5, userId: user, password },
      command: 'connect',
      destination: { host: '127.0.0.1', port: targetPort },
      timeout: 5000,
    });
    socket.destroy();
    return 0;
  } catch (err) {
    const m = /Socks5 proxy rejected connection - (\w+)/.exec(String((err as Error).message));
    const names: Record<string, number> = { Failure: 1, NotAllowed: 2, NetworkUnreachable: 3, HostUnreachable: 4, ConnectionRefused: 5, TTLExpired: 6, CommandNotSupported: 7, AddressNotSupported: 8 };
    return m === null ? -1 : (names[m[1] ?? ''] ?? -1);
  }
}

/** Waits until `f()` stops changing for `quietMs` (bounded by `maxMs`). */
export async function settle(f: () => number, quietMs: number, maxMs: number): Promise<number> {
  const start = Date.now();
  let last = f();
  let since = Date.now();
  while (Date.now() - start < maxMs) {
    await new Promise((r) => setTimeout(r, 50));
    const v = f();
    if (v !== last) {
      last = v;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) break;
  }
  return last;
}

/** A target that reads and counts every byte sent to it (the far end of an upload). */
export async function startSink(): Promise<{ port: number; received: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let received = 0;
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.on('data', (b: Buffer) => (received += b.length));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    received: () => received,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export interface Upload {
  socket: Socket;
  closed: boolean;
  /** Writes `bytes` (undefined: as fast as the socket takes them until it closes or `stop`). */
  write(bytes?: number): void;
  stop(): void;
}

/** Opens a CONNECT through the proxy for uploading to `targetPort` (user null: anonymous). */
export async function upload(proxy: { host: string; port: number }, user: string | null, password: string, targetPort: number): Promise<Upload> {
  const { socket } = await SocksClient.createConnection({
    proxy: { host: proxy.host, port: proxy.port, type: 5, ...(user === null ? {} : { userId: user, password }) },
    command: 'connect',
    destination: { host: '127.0.0.1', port: targetPort },
    timeout: 5000,
  });
  const chunk = Buffer.alloc(16 * 1024, 0x62);
  let flooding = false;
  const u: Upload = {
    socket,
    closed: false,
    write: (bytes) => {
      if (bytes !== undefined) {
        for (let left = bytes; left > 0; left -= chunk.length) socket.write(left >= chunk.length ? chunk : chunk.subarray(0, left));
        return;
      }
      flooding = true;
      pump();
    },
    stop: () => void (flooding = false),
  };
  const pump = (): void => {
    while (flooding && !socket.destroyed) if (!socket.write(chunk)) break;
  };
  socket.on('drain', pump);
  socket.on('error', () => undefined);
  socket.on('close', () => (u.closed = true));
  return u;
}
