import { SockscaleError } from '@sockscale/common';
import type { ObjectRef } from './store-types';

/** etcd (or the state file) cannot be reached or written; nothing was changed. */
export class StoreUnavailableError extends SockscaleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_SOCKSCALE_STORE_UNAVAILABLE', message, options);
  }
}

/** A delete named objects that do not exist; nothing was deleted. */
export class ObjectNotFoundError extends SockscaleError {
  readonly missing: readonly ObjectRef[];
  constructor(missing: readonly ObjectRef[]) {
    super('ERR_SOCKSCALE_NOT_FOUND', `not found: ${missing.map((r) => `${r.kind}/${r.name}`).join(', ')}`);
    this.missing = missing;
  }
}

/** Concurrent writers kept changing the same objects; the write was not applied. */
export class StoreConflictError extends SockscaleError {
  constructor(message: string) {
    super('ERR_SOCKSCALE_STORE_CONFLICT', message);
  }
}
