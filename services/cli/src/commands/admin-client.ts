/** A PolicyAdmin gRPC client from ClientConfig: credentials, bearer token, deadline. */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { loadSockscaleProto, type PolicyAdminClient } from '@sockscale/common';
import type { ClientConfig } from '../config';

export interface AdminCall {
  client: PolicyAdminClient;
  metadata: grpc.Metadata;
  options: () => grpc.CallOptions;
  close(): void;
}

export function adminClient(config: ClientConfig): AdminCall {
  const proto = loadSockscaleProto();
  let creds = grpc.credentials.createInsecure();
  if (config.tls !== undefined) {
    creds = grpc.credentials.createSsl(readFileSync(config.tls.ca), config.tls.key === undefined ? null : readFileSync(config.tls.key), config.tls.cert === undefined ? null : readFileSync(config.tls.cert));
  }
  const client = new proto.sockscale.admin.v1.PolicyAdmin(config.server, creds, { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  const metadata = new grpc.Metadata();
  if (config.token !== undefined) metadata.set('authorization', `Bearer ${config.token}`);
  return { client, metadata, options: () => ({ deadline: Date.now() + config.timeoutMs }), close: () => client.close() };
}

/** Promisified unary call. */
export function unary<Req, Res>(
  fn: (req: Req, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Res) => void) => unknown,
  call: AdminCall,
  req: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    fn(req, call.metadata, call.options(), (err, res) => (err !== null ? reject(err) : resolve(res as Res)));
  });
}

/** `sockscale <cmd>: error (CODE): details` for a failed call; the exit code is 1. */
export function reportCallError(cmd: string, server: string, err: unknown): number {
  const e = err as Partial<grpc.ServiceError>;
  if (typeof e.code === 'number') {
    const name = grpc.status[e.code] ?? String(e.code);
    const hint = e.code === grpc.status.UNAVAILABLE ? ` (is a control plane listening on ${server}?)` : '';
    process.stderr.write(`sockscale ${cmd}: error from server (${name}): ${e.details ?? e.message ?? ''}${hint}\n`);
  } else {
    process.stderr.write(`sockscale ${cmd}: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  return 1;
}
