/**
 * Admin API credential, either of:
 * - `authorization: Bearer <token>` metadata, compared in constant time with the token the
 *   replica was started with (--admin-token-file);
 * - with mTLS, a client certificate (already verified against --tls-client-ca by TLS) whose
 *   subject CN is one of --admin-cert-cn. Proxies have certificates from the same CA, so a
 *   certificate alone is not enough: its CN must be listed.
 * With neither configured the admin API refuses every call, so a replica is never writable by
 * accident.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { statusError } from './status-error';

export class AdminAuth {
  private readonly digest: Buffer | undefined;
  private readonly adminCNs: ReadonlySet<string>;

  constructor(token: string | undefined, adminCertCNs: readonly string[] = []) {
    this.digest = token === undefined || token === '' ? undefined : sha256(token);
    this.adminCNs = new Set(adminCertCNs);
  }

  /** undefined when allowed, else the status error to return. */
  check(metadata: grpc.Metadata, auth?: { sslPeerCertificate?: PeerCertificate }): (Error & Partial<grpc.StatusObject>) | undefined {
    const cn = auth?.sslPeerCertificate?.subject?.CN;
    if (typeof cn === 'string' && this.adminCNs.has(cn)) return undefined;
    if (this.digest === undefined) {
      return statusError(grpc.status.UNAUTHENTICATED, this.adminCNs.size > 0 ? 'no admin client certificate (CN not in --admin-cert-cn)' : 'the admin API is disabled on this replica: start it with --admin-token-file');
    }
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
