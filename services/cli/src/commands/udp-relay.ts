/**
 * Wires `serve`'s UDP mode (udp-config.ts) to the proxy: the relay port options and, with a
 * control plane, the relay-registry client that records this proxy's relay and associations.
 */
import { readFileSync } from 'node:fs';
import type { Logger, Registry } from '@sockscale/common';
import { RegistryClient, type ProxyServer, type RelayPortOptions } from '@sockscale/proxy';
import { formatHostPort, type ServeConfig } from '../config';

export interface RelaySetup {
  port: Omit<RelayPortOptions, 'metricsRegistry'> | undefined;
  /** After listening: register the relay with the bound port. */
  started(proxy: ProxyServer): void;
  describe(proxy: ProxyServer): { listen: string; advertise: string } | undefined;
}

export function relayRegistryFor(config: ServeConfig, root: Logger, registry: Registry): RelaySetup | number {
  const udp = config.udp;
  const none: RelaySetup = { port: undefined, started: () => undefined, describe: () => undefined };
  if (udp.mode === 'per-association' || udp.listen === undefined || udp.advertise === undefined) return none;
  const log = root.child({ component: 'serve' });
  let client: RegistryClient | undefined;
  const cp = config.controlPlane;
  if (cp !== undefined) {
    let tls: { ca: Buffer; cert?: Buffer; key?: Buffer } | undefined;
    try {
      if (cp.tls !== undefined) {
        tls = { ca: readFileSync(cp.tls.ca) };
        if (cp.tls.cert !== undefined && cp.tls.key !== undefined) {
          tls.cert = readFileSync(cp.tls.cert);
          tls.key = readFileSync(cp.tls.key);
        }
      }
    } catch (err) {
      log.fatal({ err: (err as Error).message }, 'cannot read control-plane TLS files');
      return 1;
    }
    client = new RegistryClient({ addresses: cp.addresses, ttlSeconds: udp.leaseTtlSeconds, log: root, registry, ...(tls === undefined ? {} : { tls }) });
  }
  const nodeId = cp?.nodeId ?? 'local';
  const mode = udp.mode;
  const listen = udp.listen;
  const advertise = udp.advertise;
  return {
    port: { mode, listen, advertise, nodeId, ...(client === undefined ? {} : { registry: client }) },
    started: (proxy) => {
      const ep = proxy.udpRelayEndpoints();
      if (client === undefined || ep === undefined) return;
      void client.start({ id: nodeId, mode, advertised: [ep.advertised], internal: ep.bound });
    },
    describe: (proxy) => {
      const ep = proxy.udpRelayEndpoints();
      return ep === undefined ? undefined : { listen: formatHostPort(ep.bound.host, ep.bound.port), advertise: formatHostPort(ep.advertised.host, ep.advertised.port) };
    },
  };
}
