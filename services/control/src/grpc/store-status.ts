import * as grpc from '@grpc/grpc-js';
import { ObjectNotFoundError, StoreConflictError, StoreUnavailableError } from '../store';
import { statusError } from './status-error';

/** Store errors -> gRPC statuses; anything else is INTERNAL (and logged by the caller). */
export function storeStatus(err: unknown): Error & Partial<grpc.StatusObject> {
  if (err instanceof StoreUnavailableError) return statusError(grpc.status.UNAVAILABLE, err.message);
  if (err instanceof ObjectNotFoundError) return statusError(grpc.status.NOT_FOUND, err.message);
  if (err instanceof StoreConflictError) return statusError(grpc.status.ABORTED, err.message);
  return statusError(grpc.status.INTERNAL, `internal error: ${err instanceof Error ? err.message : String(err)}`);
}
