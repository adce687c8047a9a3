export { QuotaLedger, SHARED_MEMBER, type AccountRef, type AccountStatus, type LedgerSyncReply, type QuotaLedgerOptions } from './quota-ledger';
export { MemoryLedgerBackend, LEDGER_PREFIX, ledgerKey, parseLedgerKey, type LedgerBackend } from './ledger-backend';
export { EtcdLedgerBackend } from './etcd-ledger-backend';
export { applySync, newRecord, usedOf, committedOf, outstandingOf, settleExpired, type LedgerRecord, type SyncItem, type SyncOutcome } from './ledger-record';
export { LEDGER_SCENARIOS, quotaObject } from './ledger-scenarios';
export { QuotaLedgerUnavailableError, QuotaLedgerConflictError } from './quota-errors';
export { usageHandlers, quotaAdminHandlers, checkSyncRequest, handleSyncRequest } from './usage-service';
export { QuotaControlMetrics } from './quota-metrics';
export { quotasFromSnapshot } from './snapshot-quotas';
