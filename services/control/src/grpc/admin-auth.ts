/**
 * Admin API credential: `authorization: Bearer <token>` metadata compared in constant time with
 * the token the replica was started with (--admin-token-file). Without a configured token the
 * admin API refuses every call, so a replica is never writable by accident.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { statusError } from './status-error';

export class AdminAuth {
  private readonly digest: Buffer | undefined;

  constructor(token: string | undefined) {
    this.digest = token === undefined || token === '' ? undefined : sha256(token);
  }

  /** undefined when allowed, else the status error to return. */
  check(metadata: grpc.Metadata): (Error & Partial<grpc.StatusObject>) | undefined {
    if (this.digest === undefined) return statusError(grpc.status.UNAUTHENTICATED, 'the admin API is disabled on this replica: start it with --admin-token-file');
    const values = metadata.get('authorization');
    if (values.length === 0) return statusError(grpc.status.UNAUTHENTICATED, 'missing credential: send "authorization: Bearer <token>" (sockscale --token or SOCKSCALE_TOKEN)');
    const v = String(values[0]);
    const m = /^Bearer (.+)$/i.exec(v);
    if (m === null) return statusError(grpc.status.UNAUTHENTICATED, 'malformed authorization metadata: expected "Bearer <token>"');
    if (!timingSafeEqual(sha256(m[1] as string), this.digest)) return statusError(grpc.status.UNAUTHENTICATED, 'invalid admin token');
    return undefined;
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
