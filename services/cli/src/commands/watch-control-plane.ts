import type { Logger, Registry } from '@sockscale/common';
import { DiscoveryClient, type ProxyServer } from '@sockscale/proxy';

/** A started DiscoveryClient feeding `proxy`: the snapshot check, apply and ACK/NACK of both feeds. */
export function watchControlPlane(
  proxy: ProxyServer,
  o: { addresses: string[]; nodeId: string; build: string; maxPolicyRules: number; root: Logger; registry: Registry; tls?: { ca: Buffer; cert?: Buffer; key?: Buffer } },
): DiscoveryClient {
  const client = new DiscoveryClient({
    addresses: o.addresses,
    node: { id: o.nodeId, build: o.build },
    maxPolicyRules: o.maxPolicyRules,
    apply: (s) => proxy.applySnapshot(s),
    appliedVersion: () => proxy.policyVersion ?? 0,
    log: o.root,
    registry: o.registry,
    ...(o.tls === undefined ? {} : { tls: o.tls }),
  });
  client.start();
  return client;
}
