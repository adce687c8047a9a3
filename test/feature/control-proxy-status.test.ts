import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Etcd3 } from 'etcd3';
import { ControlProcess, sockscaleCli } from '../helpers/control-process';
import { EtcdProcess } from '../helpers/etcd';
import { SockscaleProcess, tempPolicy } from '../helpers/sockscale-process';

// Proxy ACK records are cluster-wide: each replica writes its proxies' records to etcd under a
// per-replica lease, and ListProxies (`sockscale get proxies`) on any replica lists them all.
// Real etcd, 2 control planes, 2 proxies each bound to a different replica.

const TTL_S = 3;

const policyYaml = (name: string, rules: number): string => `
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: ${name}}
spec:
  subjects: {anonymous: true}
  rules:
${Array.from({ length: rules }, (_, i) => `    - {name: r${i}, action: Allow, destinations: ["127.0.0.1/32"], ports: ["${1000 + i}"]}`).join('\n')}
`;

interface Listed {
  replica: string;
  version: number;
  proxies: { id: string; replica: string; connected: boolean; ackedVersion: number; nackedVersion: number; nackError: string }[];
}

async function list(cp: ControlProcess): Promise<Listed> {
  const r = await sockscaleCli(['get', 'proxies', '-o', 'json'], cp.grpc);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.out) as Listed;
}

/** Polls `list(cp)` until `pred` holds (at most `timeoutMs`). */
async function until(cp: ControlProcess, pred: (l: Listed) => boolean, what: string, timeoutMs = 5000): Promise<Listed> {
  const start = Date.now();
  for (;;) {
    const l = await list(cp);
    if (pred(l)) return l;
    if (Date.now() - start > timeoutMs) assert.fail(`after ${timeoutMs} ms: ${what}; ListProxies on ${l.replica}: ${JSON.stringify(l.proxies)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('ListProxies on either replica shows every proxy with its ACKed version; a NACK via B is seen from A; a SIGKILLed replica’s records expire', async () => {
  const etcd = await EtcdProcess.start();
  const cps: ControlProcess[] = [];
  const proxies: SockscaleProcess[] = [];
  const client = new Etcd3({ hosts: etcd.url });
  try {
    cps.push(...(await Promise.all([0, 1].map(() => ControlProcess.start({ etcd: etcd.url }, ['--proxy-status-ttl', `${TTL_S}s`])))));
    const [a, b] = cps as [ControlProcess, ControlProcess];
    const base = await sockscaleCli(['apply', '-f', tempPolicy(policyYaml('base', 1))], a.grpc);
    assert.equal(base.code, 0, base.stderr);
    // proxy-a watches only A; proxy-b only B and accepts at most 1 rule.
    proxies.push(
      ...(await Promise.all([
        SockscaleProcess.start({ policy: [], args: ['--control-plane', a.grpc, '--node-id', 'proxy-a'] }),
        SockscaleProcess.start({ policy: [], args: ['--control-plane', b.grpc, '--node-id', 'proxy-b', '--max-policy-rules', '1'] }),
      ])),
    );
    const idA = (await list(a)).replica;
    const idB = (await list(b)).replica;
    assert.notEqual(idA, idB);

    // Both replicas list both proxies, each held by its own replica, at the served version.
    for (const cp of [a, b]) {
      await until(
        cp,
        (l) =>
          l.proxies.length === 2 &&
          l.proxies.every((p) => p.connected && p.ackedVersion === l.version && p.ackedVersion > 0) &&
          l.proxies.find((p) => p.id === 'proxy-a')?.replica === idA &&
          l.proxies.find((p) => p.id === 'proxy-b')?.replica === idB,
        'both proxies listed, connected, ACKed the served version, with their replica',
      );
    }
    const table = await sockscaleCli(['get', 'proxies'], a.grpc);
    assert.match(table.out, new RegExp(`^proxy-b\\s+${idB.replace(/[.]/g, '\\.')}\\s`, 'm'), table.out);

    // 2 rules: proxy-b (via B) NACKs; A shows the NACK with its reason.
    const big = await sockscaleCli(['apply', '-f', tempPolicy(policyYaml('big', 1))], b.grpc);
    assert.equal(big.code, 0, big.stderr);
    const seen = await until(a, (l) => (l.proxies.find((p) => p.id === 'proxy-b')?.nackedVersion ?? 0) >= l.version && l.version > 0, 'proxy-b NACK visible from A');
    const pb = seen.proxies.find((p) => p.id === 'proxy-b');
    assert.match(pb?.nackError ?? '', /snapshot has 2 rules; this proxy accepts at most 1/);
    assert.ok((pb?.ackedVersion ?? 0) > 0 && (pb?.ackedVersion ?? 0) < seen.version, 'proxy-b still at the old version');
    assert.equal(seen.proxies.find((p) => p.id === 'proxy-a')?.ackedVersion, seen.version);

    // The records live in etcd under /sockscale/v1/proxies/<replica>/<id>, bound to a lease.
    const kvs = await client.getAll().prefix('/sockscale/v1/proxies/').exec();
    assert.deepEqual(kvs.kvs.map((kv) => kv.key.toString()).sort(), [`/sockscale/v1/proxies/${encodeURIComponent(idA)}/proxy-a`, `/sockscale/v1/proxies/${encodeURIComponent(idB)}/proxy-b`].sort());
    assert.ok(kvs.kvs.every((kv) => String(kv.lease) !== '0'), 'every record is bound to its replica lease');

    // SIGKILL B: nothing revokes its lease; its proxy's record leaves A's list after the TTL.
    const killedAt = Date.now();
    const exited = once(b.child, 'exit');
    b.child.kill('SIGKILL');
    await exited;
    await until(a, (l) => l.proxies.length === 1 && l.proxies[0]?.id === 'proxy-a', 'proxy-b gone after B died', (TTL_S + 5) * 1000);
    const goneMs = Date.now() - killedAt;
    assert.ok(goneMs >= (TTL_S - 1) * 1000, `records outlived the replica until about the TTL (${goneMs} ms)`);
    process.stdout.write(`# proxy-b's record expired ${goneMs} ms after SIGKILL of its replica (TTL ${TTL_S} s)\n`);
    const left = await client.getAll().prefix('/sockscale/v1/proxies/').keys();
    assert.deepEqual(left, [`/sockscale/v1/proxies/${encodeURIComponent(idA)}/proxy-a`]);
  } finally {
    client.close();
    await Promise.all(proxies.map((p) => p.stop()));
    await Promise.all(cps.map((c) => c.stop()));
    await etcd.destroy();
  }
});
