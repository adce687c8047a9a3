import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { after, it } from 'node:test';
import { API_VERSION, COMMANDS, Registry, createRootLogger, type PolicySnapshot } from '@sockscale/common';
import { compilePolicy } from '../policy';
import { DnsCache } from '../relay/dns-cache';
import { PasswordVerifier } from '../stages/password-verifier';
import type { ProxyContext } from '../server/proxy-context';
import { ProxyMetrics } from '../server/proxy-metrics';
import { DEFAULT_PROXY_OPTIONS } from '../server/proxy-options';
import { LimitRegistry } from '../limits';
import { RelayAssociation } from './relay-association';

// The relay-port association (per-pod and shared UDP modes, also used on behalf of another
// proxy) holds datagrams to the bandwidth limit of the rule that allowed their destination.

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
        rules: [{ name: 'slow', action: 'Allow', commands: [...COMMANDS], destinations: ['127.0.0.1/32'], ports: [], limits: { bandwidth: { up: 20_000 } } }],
      },
    },
  ],
};

const sockets: UdpSocket[] = [];
after(() => {
  for (const s of sockets) s.close();
});

async function bound(): Promise<UdpSocket> {
  const s = createSocket('udp4');
  sockets.push(s);
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return s;
}

it('drops datagrams over the allowing rule bandwidth (counted as rate_limited), with and without a gate source', async () => {
  const echo = await bound();
  let received = 0;
  echo.on('message', () => void received++);
  const port = echo.address().port;
  const frame = Buffer.concat([Buffer.from([0, 0, 0, 1, 127, 0, 0, 1, port >> 8, port & 0xff]), Buffer.alloc(1000, 7)]);
  const policy = compilePolicy(snapshot);
  const rules = policy.forSubject({ user: null, groups: [], clientIp: '127.0.0.1' });
  const limits = new LimitRegistry();
  const metrics = new ProxyMetrics(new Registry(), () => ({ up: 0, down: 0 }));
  const ctx: ProxyContext = {
    options: DEFAULT_PROXY_OPTIONS,
    log: createRootLogger({ level: 'silent', format: 'json' }),
    accessLog: createRootLogger({ level: 'silent', format: 'json' }),
    metrics,
    verifier: new PasswordVerifier(),
    dns: new DnsCache(1000, 1000, 10),
    policy: () => policy,
    onSessionEnd: () => undefined,
    limits,
  };
  const limited = async (): Promise<number> => (await metrics.udpDropped.get()).values.find((v) => v.labels.reason === 'rate_limited')?.value ?? 0;
  const run = async (gated: boolean): Promise<{ delivered: number; dropped: number }> => {
    const counters = { up: 0, down: 0 };
    const relay = new RelayAssociation({
      ctx,
      log: ctx.log,
      rules,
      counters,
      onDecision: () => undefined,
      toClient: () => undefined,
      ...(gated ? { gatesFor: (d) => limits.gatesFor('anonymous@127.0.0.1', `${d.policy ?? ''}/${d.rule ?? ''}`, d.limits) } : {}),
    });
    received = 0;
    const before = await limited();
    for (let i = 0; i < 100; i++) relay.fromClient(frame);
    await new Promise((r) => setTimeout(r, 300));
    relay.close();
    return { delivered: received, dropped: (await limited()) - before };
  };
  const free = await run(false);
  assert.equal(free.dropped, 0);
  // A burst of 100 on loopback may lose a few in the kernel; nothing is policed.
  assert.ok(free.delivered >= 50, `without gates: delivered ${free.delivered} of 100`);
  const gated = await run(true);
  // 20 kB/s, burst 100 ms: 2 kB = two 1000-byte datagrams (the bucket may run one into debt).
  assert.ok(gated.delivered >= 1 && gated.delivered <= 5, `with the rule limit: delivered ${gated.delivered} of 100`);
  assert.ok(gated.dropped >= 95, `with the rule limit: ${gated.dropped} counted as rate_limited`);
});
