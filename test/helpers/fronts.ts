import { createHash } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * Load-balancer fronts for the UDP registry tests, in Node on loopback (a stand-in for
 * kube-proxy / a cloud load balancer, which cannot run here). Both masquerade like SNAT: the
 * proxies see every client as coming from `masquerade` (a 127/8 address), and the UDP front keeps
 * the client's source port when it can, as Linux conntrack does. So the proxy sees the same
 * client IP on TCP and UDP, and the port a client announced in UDP ASSOCIATE still matches.
 */
export interface Backend {
  host: string;
  port: number;
}

/** TCP front: round-robins each SOCKS connection over the backends. */
export class TcpFront {
  private next = 0;
  /** Index of the backend the most recent connection went to. */
  last = -1;
  private readonly conns = new Set<Socket>();
  port = 0;

  private constructor(
    private readonly server: Server,
    readonly host: string,
    private readonly masquerade: string,
    public backends: Backend[],
  ) {}

  static async start(host: string, masquerade: string, backends: Backend[]): Promise<TcpFront> {
    const server = createServer({ allowHalfOpen: true });
    const f = new TcpFront(server, host, masquerade, backends);
    server.on('connection', (c) => f.onConnection(c));
    await new Promise<void>((r) => server.listen({ host, port: 0 }, r));
    f.port = (server.address() as AddressInfo).port;
    return f;
  }

  private onConnection(client: Socket): void {
    this.last = this.next++ % this.backends.length;
    const b = this.backends[this.last] as Backend;
    const up = createConnection({ host: b.host, port: b.port, localAddress: this.masquerade, allowHalfOpen: true });
    this.conns.add(client);
    this.conns.add(up);
    const done = (): void => {
      client.destroy();
      up.destroy();
      this.conns.delete(client);
      this.conns.delete(up);
    };
    client.on('error', done);
    up.on('error', done);
    client.on('close', done);
    up.on('close', done);
    client.pipe(up);
    up.pipe(client);
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

interface Flow {
  upstream: UdpSocket;
  client: RemoteInfo;
  backend: Backend;
  lastUsed: number;
}

/**
 * UDP front: each datagram's 5-tuple (client IP and port, front IP and port, protocol) is
 * hashed to a backend, as kube-proxy and cloud load balancers do; a flow keeps one upstream
 * socket bound to masquerade:client-port (another port if that is taken) so replies from the
 * backend go back to the client from the front's address. With one backend it is a per-pod
 * forwarder (node IP + hostPort, or a per-pod Service).
 */
export class UdpFront {
  private readonly flows = new Map<string, Flow>();
  private readonly timer: NodeJS.Timeout;
  port = 0;
  /** Datagrams forwarded per backend index (client -> backend). */
  readonly forwarded: number[];

  private constructor(
    private readonly socket: UdpSocket,
    readonly host: string,
    private readonly masquerade: string,
    public backends: Backend[],
  ) {
    this.forwarded = [];
    this.timer = setInterval(() => {
      const now = Date.now();
      for (const [k, f] of this.flows) {
        if (now - f.lastUsed < 30_000) continue;
        f.upstream.close();
        this.flows.delete(k);
      }
    }, 5000);
    this.timer.unref();
  }

  static async start(host: string, masquerade: string, backends: Backend[]): Promise<UdpFront> {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, host, r));
    const f = new UdpFront(socket, host, masquerade, backends);
    f.port = socket.address().port;
    socket.on('message', (msg, rinfo) => void f.onDatagram(msg, rinfo));
    return f;
  }

  /** The backend index a client address hashes to. */
  backendFor(clientHost: string, clientPort: number): number {
    const h = createHash('sha1').update(`udp|${clientHost}|${clientPort}|${this.host}|${this.port}`).digest();
    return h.readUInt32BE(0) % this.backends.length;
  }

  private async onDatagram(msg: Buffer, rinfo: RemoteInfo): Promise<void> {
    const key = `${rinfo.address}|${rinfo.port}`;
    let flow = this.flows.get(key);
    if (flow === undefined) {
      const i = this.backendFor(rinfo.address, rinfo.port);
      const upstream = createSocket('udp4');
      upstream.on('error', () => undefined);
      const bound = await new Promise<boolean>((resolve) => {
        upstream.once('error', () => resolve(false));
        upstream.bind(rinfo.port, this.masquerade, () => resolve(true));
      });
      let sock = upstream;
      if (!bound) {
        sock = createSocket('udp4');
        sock.on('error', () => undefined);
        await new Promise<void>((r) => sock.bind(0, this.masquerade, r));
      }
      flow = this.flows.get(key); // another datagram of the same flow may have won the race
      if (flow === undefined) {
        flow = { upstream: sock, client: rinfo, backend: this.backends[i] as Backend, lastUsed: Date.now() };
        this.flows.set(key, flow);
        const f = flow;
        sock.on('message', (reply) => this.socket.send(reply, f.client.port, f.client.address));
      } else {
        sock.close();
      }
    }
    flow.lastUsed = Date.now();
    const idx = this.backends.indexOf(flow.backend);
    if (idx >= 0) this.forwarded[idx] = (this.forwarded[idx] ?? 0) + 1;
    flow.upstream.send(msg, flow.backend.port, flow.backend.host);
  }

  close(): void {
    clearInterval(this.timer);
    for (const f of this.flows.values()) f.upstream.close();
    this.flows.clear();
    this.socket.close();
  }
}
