export { QuotaManager, SYNC_INTERVAL_MS, OFFLINE_AFTER_MS, type QuotaManagerOptions, type QuotaSessionHold, type QuotaConnectionHold } from './quota-manager';
export { CHUNK_BYTES, DEMAND_SECONDS } from './quota-account';
export { GrpcUsageTransport } from './grpc-usage-transport';
export type { UsageTransport } from './usage-transport';
export { AllotmentAccount, SLOT_WAIT_MS, SLOT_RETRY_MS } from './allotment-account';
