/**
 * Loads the .proto files under proto/ at run time (@grpc/proto-loader) with the same options
 * scripts/proto-gen.mjs gives the type generator, so the generated types in ../generated
 * describe exactly the objects grpc-js hands us.
 */
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';
import type { ProtoGrpcType as AdminProto } from '../generated/admin';
import type { ProtoGrpcType as DiscoveryProto } from '../generated/discovery';
import type { ProtoGrpcType as HealthProto } from '../generated/health';
import type { ProtoGrpcType as RelayProto } from '../generated/relay';
import type { ProtoGrpcType as UsageProto } from '../generated/usage';

/** src/grpc and dist/grpc are both four levels below the repository root. */
export const PROTO_ROOT = join(__dirname, '..', '..', '..', '..', 'proto');

/** Keep in sync with the flags in scripts/proto-gen.mjs. */
export const PROTO_LOADER_OPTIONS: Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

export const PROTO_FILES = ['sockscale/policy/v1/discovery.proto', 'sockscale/admin/v1/admin.proto', 'grpc/health/v1/health.proto', 'sockscale/relay/v1/relay.proto', 'sockscale/usage/v1/usage.proto'] as const;

export type SockscaleProto = DiscoveryProto & AdminProto & HealthProto & RelayProto & UsageProto;

let cached: SockscaleProto | undefined;

/** Every sockscale service definition, loaded once per process. */
export function loadSockscaleProto(): SockscaleProto {
  cached ??= grpc.loadPackageDefinition(loadSync([...PROTO_FILES], PROTO_LOADER_OPTIONS)) as unknown as SockscaleProto;
  return cached;
}
