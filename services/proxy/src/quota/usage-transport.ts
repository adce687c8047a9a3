import type { SyncRequest, SyncResponse__Output } from '@sockscale/common';

/**
 * How the proxy's quota manager reaches the ledger: a gRPC Sync stream to the control plane
 * (GrpcUsageTransport), or in embedded mode a direct call into the in-process ledger (wired by
 * the CLI, which may import both proxy and control).
 */
export interface UsageTransport {
  /** One request, one response; rejects when the ledger cannot be reached. */
  sync(req: SyncRequest): Promise<SyncResponse__Output>;
  close(): void;
}
