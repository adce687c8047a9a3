export { QuotaManager, SYNC_INTERVAL_MS, OFFLINE_AFTER_MS, type QuotaManagerOptions, type QuotaSessionHold } from './quota-manager';
export { CHUNK_BYTES, DEMAND_SECONDS } from './quota-account';
export { GrpcUsageTransport } from './grpc-usage-transport';
export type { UsageTransport } from './usage-transport';
