import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createHash, randomBytes } from 'node:crypto';

/** Destinations for tests, on loopback and port 0: what the proxy connects to. */

export interface HttpTarget {
  server: HttpServer;
  port: number;
  host: string;
  /** Body served at /blob and its sha256. */
  body: Buffer;
  sha256: string;
  /** Connections accepted so far (to prove a denied request never reached the target). */
  connections: number;
  close(): Promise<void>;
}

export async function startHttpTarget(host = '127.0.0.1', size = 1 << 20): Promise<HttpTarget> {
  const body = randomBytes(size);
  const t = { connections: 0 } as HttpTarget;
  const server = createHttpServer((req, res) => {
    if (req.url === '/blob') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      res.end(body);
    } else if (req.method === 'POST' && req.url === '/sha256') {
      const h = createHash('sha256');
      req.on('data', (c: Buffer) => h.update(c));
      req.on('end', () => res.end(h.digest('hex')));
    } else {
      res.end('hello\n');
    }
  });
  server.on('connection', () => t.connections++);
  await new Promise<void>((r) => server.listen({ host, port: 0 }, r));
  Object.assign(t, {
    server,
    host,
    port: (server.address() as AddressInfo).port,
    body,
    sha256: createHash('sha256').update(body).digest('hex'),
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  });
  return t;
}

export interface TcpTarget {
  server: Server;
  port: number;
  connections: number;
  sockets: Set<Socket>;
  close(): Promise<void>;
}

/** Echo server (what comes in goes back; half-close answered with close after echo). */
export async function startEchoServer(host = '127.0.0.1'): Promise<TcpTarget> {
  const sockets = new Set<Socket>();
  const t = { connections: 0, sockets } as TcpTarget;
  const server = createServer({ allowHalfOpen: true }, (s) => {
    t.connections++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen({ host, port: 0 }, r));
  Object.assign(t, {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  });
  return t;
}

export interface UdpEcho {
  socket: UdpSocket;
  port: number;
  received: number;
  /** Payload bytes received (what reached the target). */
  bytes: number;
  close(): void;
}

export async function startUdpEcho(type: 'udp4' | 'udp6' = 'udp4', host = '127.0.0.1'): Promise<UdpEcho> {
  const socket = createSocket(type);
  const t = { socket, received: 0, bytes: 0 } as UdpEcho;
  socket.on('message', (msg, rinfo) => {
    t.received++;
    t.bytes += msg.length;
    socket.send(msg, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, host, r));
  t.port = socket.address().port;
  t.close = () => socket.close();
  return t;
}
