/**
 * The replica's one gRPC port: policy discovery, the admin API and grpc.health.v1.Health.
 * Plain TCP, or TLS (server cert/key), or mTLS (plus a CA that client certificates must chain
 * to; proxies and admin clients then both need a certificate).
 */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { loadSockscaleProto } from '@sockscale/common';
import { withPreEncodedResponses } from './pre-encoded';

export interface TlsFiles {
  cert: string;
  key: string;
  /** Require client certificates signed by this CA (mTLS). */
  clientCa?: string;
}

/** Requests larger than this get RESOURCE_EXHAUSTED from grpc-js before any handler runs. */
export const MAX_RECEIVE_BYTES = 4 * 1024 * 1024;

export function serverCredentials(tls: TlsFiles | undefined): grpc.ServerCredentials {
  if (tls === undefined) return grpc.ServerCredentials.createInsecure();
  const ca = tls.clientCa === undefined ? null : readFileSync(tls.clientCa);
  return grpc.ServerCredentials.createSsl(ca, [{ cert_chain: readFileSync(tls.cert), private_key: readFileSync(tls.key) }], ca !== null);
}

export function createGrpcServer(handlers: {
  discovery: grpc.UntypedServiceImplementation;
  admin: grpc.UntypedServiceImplementation;
  health: grpc.UntypedServiceImplementation;
  relay?: grpc.UntypedServiceImplementation;
  usage?: grpc.UntypedServiceImplementation;
  quotaAdmin?: grpc.UntypedServiceImplementation;
}): grpc.Server {
  const proto = loadSockscaleProto();
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_RECEIVE_BYTES,
    'grpc.max_send_message_length': -1,
    // Find dead proxies (no TCP RST: pulled cable, frozen VM) and let idle streams live.
    'grpc.keepalive_time_ms': 30_000,
    // channelz bookkeeping costs time on every message of every stream (seen in fan-out profiles) and nothing here reads it.
    'grpc.enable_channelz': 0,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.http2.min_ping_interval_without_data_ms': 5_000,
  });
  // Watch streams get each snapshot version encoded once (discovery-service.ts).
  server.addService(withPreEncodedResponses(proto.sockscale.policy.v1.PolicyDiscovery.service, ['Watch']), handlers.discovery);
  server.addService(proto.sockscale.admin.v1.PolicyAdmin.service, handlers.admin);
  server.addService(proto.grpc.health.v1.Health.service, handlers.health);
  if (handlers.relay !== undefined) server.addService(proto.sockscale.relay.v1.RelayRegistry.service, handlers.relay);
  if (handlers.usage !== undefined) server.addService(proto.sockscale.usage.v1.UsageService.service, handlers.usage);
  if (handlers.quotaAdmin !== undefined) server.addService(proto.sockscale.usage.v1.QuotaAdmin.service, handlers.quotaAdmin);
  return server;
}

export function bindServer(server: grpc.Server, address: string, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, creds, (err, port) => (err === null ? resolve(port) : reject(err)));
  });
}
