import type * as grpc from '@grpc/grpc-js';

/** An error grpc-js sends as a status with this code and message. */
export function statusError(code: grpc.status, details: string): Partial<grpc.StatusObject> & Error {
  return Object.assign(new Error(details), { code, details });
}
