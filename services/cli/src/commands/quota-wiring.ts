/**
 * Wires cluster quotas into `sockscale serve`: with --control-plane, a gRPC usage stream to the
 * same replicas; in embedded mode (policy files), an in-process memory ledger behind the same
 * UsageTransport interface, so both modes run the proxy's one quota path.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger, Registry, SyncRequest, SyncRequest__Output, SyncResponse__Output } from '@sockscale/common';
import { handleSyncRequest, MemoryLedgerBackend, QuotaLedger, DEFAULT_GRANT_TTL_MS } from '@sockscale/control';
import { GrpcUsageTransport, QuotaManager, type ProxyServer, type UsageTransport } from '@sockscale/proxy';
import type { ServeConfig } from '../config';

export function attachQuota(proxy: ProxyServer, config: ServeConfig, root: Logger, registry?: Registry): QuotaManager {
  const log = root.child({ component: 'quota' });
  const cp = config.controlPlane;
  const proxyId = `${cp?.nodeId ?? hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  let transport: UsageTransport;
  const ref: { manager?: QuotaManager } = {};
  if (cp !== undefined) {
    let tls: { ca: Buffer; cert?: Buffer; key?: Buffer } | undefined;
    if (cp.tls !== undefined) {
      tls = { ca: readFileSync(cp.tls.ca) };
      if (cp.tls.cert !== undefined && cp.tls.key !== undefined) {
        tls.cert = readFileSync(cp.tls.cert);
        tls.key = readFileSync(cp.tls.key);
      }
    }
    transport = new GrpcUsageTransport(cp.addresses, log, tls);
  } else {
    const ledger = new QuotaLedger(new MemoryLedgerBackend(), {
      ttlMs: DEFAULT_GRANT_TTL_MS,
      quotas: () => new Map((ref.manager?.quotaObjects ?? []).map((q) => [q.metadata.name, q])),
    });
    transport = {
      sync: (req: SyncRequest): Promise<SyncResponse__Output> => handleSyncRequest(ledger, undefined, log, req as SyncRequest__Output) as Promise<SyncResponse__Output>,
      close: () => undefined,
    };
  }
  const manager = new QuotaManager({ proxyId, transport, log, ...(registry === undefined ? {} : { registry }) });
  ref.manager = manager;
  proxy.attachQuota(manager);
  manager.start();
  return manager;
}
