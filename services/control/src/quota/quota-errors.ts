import { SockscaleError } from '@sockscale/common';

/** The ledger's backing store (etcd) could not be read or written; nothing was applied. */
export class QuotaLedgerUnavailableError extends SockscaleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_SOCKSCALE_QUOTA_LEDGER_UNAVAILABLE', message, options);
  }
}

/** Concurrent writers kept changing the same ledger record; the update was not applied. */
export class QuotaLedgerConflictError extends SockscaleError {
  constructor(message: string) {
    super('ERR_SOCKSCALE_QUOTA_LEDGER_CONFLICT', message);
  }
}
