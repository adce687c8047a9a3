import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { createMetricsRegistry, createRootLogger, loadSockscaleProto, validateObject, type PolicyObject, type WatchResponse, type WatchResponse__Output } from '@sockscale/common';
import { MemoryStore } from '../store';
import { PolicyPublisher } from '../snapshot';
import { AckTracker } from './ack-tracker';
import { ControlMetrics } from './control-metrics';
import { discoveryHandlers } from './discovery-service';
import { bindServer, createGrpcServer } from './grpc-server';
import { healthHandlers } from './health-service';

const log = createRootLogger({ level: 'silent', format: 'json' });

function policy(port: number): PolicyObject {
  const r = validateObject({ apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksPolicy', metadata: { name: 'p' }, spec: { subjects: { anonymous: true }, rules: [{ action: 'Allow', ports: [String(port)] }] } });
  assert.ok(r.object);
  return r.object;
}

test('Watch over real gRPC: each version is encoded once and the same bytes reach every watcher, which ACK with the shared nonce', async () => {
  const proto = loadSockscaleProto();
  const encode = proto.sockscale.policy.v1.PolicyDiscovery.service.Watch?.responseSerialize as (v: WatchResponse) => Buffer;
  let encodes = 0;
  const store = new MemoryStore();
  const publisher = new PolicyPublisher(store, log, { holdOffMs: 5, maxDelayMs: 50, retryMs: 100 });
  const tracker = new AckTracker();
  const metrics = new ControlMetrics(createMetricsRegistry(), () => ({}), () => true);
  const server = createGrpcServer({
    discovery: discoveryHandlers({ publisher, tracker, metrics, log, serialize: (v) => (encodes++, encode(v)) }),
    admin: {},
    health: healthHandlers(() => true),
  });
  const port = await bindServer(server, '127.0.0.1:0', grpc.ServerCredentials.createInsecure());
  await publisher.start();
  await store.apply([policy(1000)]);
  const WATCHERS = 5;
  const got: { version: number; nonce: string; port: string }[][] = Array.from({ length: WATCHERS }, () => []);
  const clients = Array.from({ length: WATCHERS }, (_, i) => {
    // Own channel each (like separate proxies).
    const c = new proto.sockscale.policy.v1.PolicyDiscovery(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
    const call = c.Watch();
    call.on('data', (res: WatchResponse__Output) => {
      const spec = JSON.parse(res.snapshot?.objects[0]?.specJson ?? '{}') as { rules: { ports: string[] }[] };
      got[i]!.push({ version: res.snapshot?.version ?? 0, nonce: res.nonce, port: spec.rules[0]?.ports[0] ?? '' });
      call.write({ ack: { nonce: res.nonce, version: res.snapshot?.version ?? 0 } });
    });
    call.on('error', () => undefined);
    call.write({ hello: { node: { id: `w${i}`, build: 't', metadata: {} }, haveVersion: 0 } });
    return { c, call };
  });
  const until = async (pred: () => boolean): Promise<void> => {
    for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(pred());
  };
  try {
    await until(() => tracker.list().length === WATCHERS && tracker.list().every((p) => p.ackedVersion === 1));
    await store.apply([policy(2000)]);
    await until(() => tracker.list().every((p) => p.ackedVersion === 2));
    for (const g of got) assert.deepEqual(g.map((x) => [x.version, x.port]), [[1, '1000'], [2, '2000']]);
    // One nonce per version, the same on every stream; one encode per version.
    assert.equal(new Set(got.map((g) => g[1]?.nonce)).size, 1);
    assert.notEqual(got[0]?.[0]?.nonce, got[0]?.[1]?.nonce);
    assert.equal(encodes, 2, `${WATCHERS} watchers x 2 versions took ${encodes} encodes`);
  } finally {
    for (const { c, call } of clients) {
      call.cancel();
      c.close();
    }
    publisher.close();
    server.forceShutdown();
  }
});
