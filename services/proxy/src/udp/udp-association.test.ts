import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { after, describe, it } from 'node:test';
import { API_VERSION, COMMANDS, Registry, createRootLogger, type PolicySnapshot } from '@sockscale/common';
import { compilePolicy } from '../policy';
import { DnsCache } from '../relay/dns-cache';
import { PasswordVerifier } from '../stages/password-verifier';
import type { ProxyContext } from '../server/proxy-context';
import { ProxyMetrics } from '../server/proxy-metrics';
import { DEFAULT_PROXY_OPTIONS } from '../server/proxy-options';
import { UdpAssociation } from './udp-association';
import { LimitRegistry } from '../limits';

/** Anonymous loopback clients may reach 127.0.0.1 except port 9 (denied by rule). */
const snapshot: PolicySnapshot = {
  version: 1,
  users: [],
  policies: [
    {
      apiVersion: API_VERSION,
      kind: 'SocksPolicy',
      metadata: { name: 'p' },
      spec: {
        priority: 100,
        subjects: { users: [], groups: [], anonymous: true, clientCIDRs: ['127.0.0.0/8'] },
        rules: [
          { name: 'no-discard', action: 'Deny', commands: [...COMMANDS], destinations: ['127.0.0.1/32'], ports: ['9'] },
          { name: 'lo', action: 'Allow', commands: [...COMMANDS], destinations: ['127.0.0.1/32'], ports: [] },
        ],
      },
    },
  ],
};

function bound(type: 'udp4' = 'udp4'): Promise<UdpSocket> {
  const s = createSocket(type);
  return new Promise((resolve) => s.bind(0, '127.0.0.1', () => resolve(s)));
}

/** SOCKS UDP header for 127.0.0.1:port + payload. */
function frame(port: number, payload: Buffer, frag = 0): Buffer {
  return Buffer.concat([Buffer.from([0, 0, frag, 1, 127, 0, 0, 1, port >> 8, port & 0xff]), payload]);
}

function nextMessage(s: UdpSocket, ms = 2000): Promise<{ msg: Buffer; rinfo: RemoteInfo } | undefined> {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      s.removeListener('message', on);
      resolve(undefined);
    }, ms);
    const on = (msg: Buffer, rinfo: RemoteInfo): void => {
      clearTimeout(t);
      s.removeListener('message', on);
      resolve({ msg, rinfo });
    };
    s.on('message', on);
  });
}

describe('UdpAssociation', () => {
  const sockets: UdpSocket[] = [];
  after(() => {
    for (const s of sockets) s.close();
  });

  it('relays to connected and shared outbound sockets alike, counts exactly, drops what it must', async () => {
    const registry = new Registry();
    const metrics = new ProxyMetrics(registry, () => ({ up: 0, down: 0 }));
    const policy = compilePolicy(snapshot);
    const ctx: ProxyContext = {
      options: DEFAULT_PROXY_OPTIONS,
      log: createRootLogger({ level: 'silent', format: 'json' }),
      accessLog: createRootLogger({ level: 'silent', format: 'json' }),
      metrics,
      verifier: new PasswordVerifier(),
      dns: new DnsCache(1000, 1000, 10),
      policy: () => policy,
      onSessionEnd: () => undefined,
      limits: new LimitRegistry(),
    };
    const counters = { up: 0, down: 0 };
    const client = await bound();
    // Four echo servers: the first two get connected outbound sockets, the rest the shared one.
    const echoes = await Promise.all([bound(), bound(), bound(), bound()]);
    sockets.push(client, ...echoes);
    for (const e of echoes) e.on('message', (m: Buffer, r: RemoteInfo) => e.send(Buffer.concat([Buffer.from('re:'), m]), r.port, r.address));
    const assoc = await UdpAssociation.open({
      ctx,
      log: ctx.log,
      bindHost: '127.0.0.1',
      clientIp: '127.0.0.1',
      clientPort: client.address().port,
      rules: policy.forSubject({ user: null, groups: [], clientIp: '127.0.0.1' }),
      counters,
      onDecision: () => undefined,
    });
    const relay = assoc.address();
    let up = 0;
    let down = 0;
    // Several rounds per destination: the first datagrams may leave before a connect finished.
    for (let round = 0; round < 5; round++) {
      for (const e of echoes) {
        const port = e.address().port;
        const payload = Buffer.from(`hello ${port} ${round}`);
        const reply = nextMessage(client);
        client.send(frame(port, payload), relay.port, relay.host);
        const got = await reply;
        assert.ok(got !== undefined, `no reply from destination ${port} in round ${round}`);
        const want = frame(port, Buffer.concat([Buffer.from('re:'), payload]));
        assert.deepEqual(got.msg, want, 'reply must carry a header naming its source');
        up += payload.length;
        down += payload.length + 3;
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    assert.deepEqual(counters, { up, down });

    const dropped = async (reason: string): Promise<number> => {
      const m = await registry.getSingleMetric('sockscale_proxy_udp_dropped_total')?.get();
      return m?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
    };
    // Denied destination (port 9): dropped and counted, nothing sent.
    client.send(frame(9, Buffer.from('x')), relay.port, relay.host);
    // A fragment: dropped and counted.
    client.send(frame(echoes[0].address().port, Buffer.from('y'), 1), relay.port, relay.host);
    // A stranger (another port on the client's address) is not relayed.
    const stranger = await bound();
    sockets.push(stranger);
    stranger.send(frame(echoes[0].address().port, Buffer.from('z')), relay.port, relay.host);
    assert.equal(await nextMessage(client, 200), undefined);
    assert.equal(await dropped('denied'), 1);
    assert.equal(await dropped('fragmented'), 1);
    assert.equal(await dropped('stranger'), 1);
    assert.deepEqual(counters, { up, down });
    const dgrams = await registry.getSingleMetric('sockscale_proxy_udp_datagrams_total')?.get();
    assert.equal(dgrams?.values.find((v) => v.labels.direction === 'up')?.value, 20);
    assert.equal(dgrams?.values.find((v) => v.labels.direction === 'down')?.value, 20);
    assoc.close();
  });
});
