import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { SocksClient } from 'socks';
import { loadSockscaleProto, type ListRegistryResponse__Output } from '@sockscale/common';
import type { SockscaleProcess } from './sockscale-process';

/** The relay registry as a control-plane replica reports it (RelayRegistry.List). */
export function listRegistry(grpcAddress: string): Promise<ListRegistryResponse__Output> {
  const proto = loadSockscaleProto();
  const c = new proto.sockscale.relay.v1.RelayRegistry(grpcAddress, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) =>
    c.List({}, { deadline: Date.now() + 5000 }, (e, r) => {
      c.close();
      if (e !== null || r === undefined) reject(e ?? new Error('no response'));
      else resolve(r);
    }),
  );
}

/** Polls the registry until `pred` holds; returns the ms it took (fails after timeoutMs). */
export async function untilRegistry(grpcAddress: string, pred: (r: ListRegistryResponse__Output) => boolean, timeoutMs: number, what: string): Promise<number> {
  const start = Date.now();
  let last: ListRegistryResponse__Output | undefined;
  while (Date.now() - start < timeoutMs) {
    last = await listRegistry(grpcAddress);
    if (pred(last)) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`${what}: not reached within ${timeoutMs} ms; registry: ${JSON.stringify(last)}`);
}

/** The relay port a proxy bound (from its 'sockscale listening' log line). */
export function relayPortOf(p: SockscaleProcess): { host: string; port: number } {
  const l = p.logs.find((x) => x.msg === 'sockscale listening');
  const relay = (l?.udpRelay as { listen?: string } | undefined)?.listen;
  assert.ok(relay !== undefined, 'proxy logged its relay port');
  const i = relay.lastIndexOf(':');
  return { host: relay.slice(0, i), port: Number(relay.slice(i + 1)) };
}

export interface Association {
  tcp: Socket;
  relay: { host: string; port: number };
  udp: UdpSocket;
}

/**
 * UDP ASSOCIATE with the npm `socks` client through `proxy` (host:port). The client's UDP
 * socket is bound first (on 127.0.0.1, to a port `acceptPort` likes) and announced, unless
 * `announce` is false (then 0.0.0.0:0).
 */
export async function associate(
  proxy: { host: string; port: number },
  opts: { user?: [string, string]; announce?: boolean; acceptPort?: (port: number) => boolean } = {},
): Promise<Association> {
  let udp: UdpSocket;
  for (let i = 0; ; i++) {
    udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    if (opts.acceptPort === undefined || opts.acceptPort(udp.address().port)) break;
    udp.close();
    assert.ok(i < 200, 'no acceptable client port found');
  }
  const announce = opts.announce ?? true;
  const client = new SocksClient({
    proxy: { host: proxy.host, port: proxy.port, type: 5, ...(opts.user === undefined ? {} : { userId: opts.user[0], password: opts.user[1] }) },
    command: 'associate',
    destination: announce ? { host: '0.0.0.0', port: udp.address().port } : { host: '0.0.0.0', port: 0 },
    timeout: 10_000,
  });
  const established = new Promise<{ socket: Socket; remoteHost?: { host: string; port: number } }>((resolve, reject) => {
    client.once('established', resolve);
    client.once('error', reject);
  });
  client.connect();
  const { socket, remoteHost } = await established;
  assert.ok(remoteHost !== undefined, 'UDP ASSOCIATE reply names the relay');
  socket.on('error', () => undefined);
  return { tcp: socket, relay: remoteHost, udp };
}

/** `count` echo round trips (one in flight, `timeoutMs` each) to 127.0.0.1:echoPort; returns how many came back intact. */
export async function roundTrips(a: Association, echoPort: number, count: number, size = 256, timeoutMs = 1000): Promise<number> {
  let ok = 0;
  for (let i = 0; i < count; i++) {
    const data = Buffer.alloc(size, i & 0xff);
    data.writeUInt32BE(i, 0);
    const got = new Promise<Buffer | undefined>((resolve) => {
      const t = setTimeout(() => (a.udp.removeListener('message', on), resolve(undefined)), timeoutMs);
      const on = (msg: Buffer): void => {
        const f = SocksClient.parseUDPFrame(msg);
        if (f.data.length >= 4 && f.data.readUInt32BE(0) !== i) return; // a late reply to an earlier try
        clearTimeout(t);
        a.udp.removeListener('message', on);
        resolve(f.data);
      };
      a.udp.on('message', on);
    });
    a.udp.send(SocksClient.createUDPFrame({ remoteHost: { host: '127.0.0.1', port: echoPort }, data }), a.relay.port, a.relay.host);
    const reply = await got;
    if (reply !== undefined && reply.equals(data)) ok++;
  }
  return ok;
}

export async function closeAssociation(a: Association): Promise<void> {
  const closed = once(a.tcp, 'close');
  a.tcp.destroy();
  await closed;
  a.udp.close();
}
