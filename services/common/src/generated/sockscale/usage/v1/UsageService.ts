// Original file: proto/sockscale/usage/v1/usage.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { SyncRequest as _sockscale_usage_v1_SyncRequest, SyncRequest__Output as _sockscale_usage_v1_SyncRequest__Output } from '../../../sockscale/usage/v1/SyncRequest';
import type { SyncResponse as _sockscale_usage_v1_SyncResponse, SyncResponse__Output as _sockscale_usage_v1_SyncResponse__Output } from '../../../sockscale/usage/v1/SyncResponse';

/**
 * One bidirectional stream per proxy process. The proxy sends a SyncRequest about once a
 * second (sooner when a grant runs low, and a final one with release=true on drain); the
 * server answers every SyncRequest with exactly one SyncResponse carrying the same
 * request_id. Every number is cumulative per lease, so a retried or duplicated request is
 * harmless: the ledger applies a report only when its seq is above the last applied one.
 */
export interface UsageServiceClient extends grpc.Client {
  Sync(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_sockscale_usage_v1_SyncRequest, _sockscale_usage_v1_SyncResponse__Output>;
  Sync(options?: grpc.CallOptions): grpc.ClientDuplexStream<_sockscale_usage_v1_SyncRequest, _sockscale_usage_v1_SyncResponse__Output>;
  sync(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_sockscale_usage_v1_SyncRequest, _sockscale_usage_v1_SyncResponse__Output>;
  sync(options?: grpc.CallOptions): grpc.ClientDuplexStream<_sockscale_usage_v1_SyncRequest, _sockscale_usage_v1_SyncResponse__Output>;
  
}

/**
 * One bidirectional stream per proxy process. The proxy sends a SyncRequest about once a
 * second (sooner when a grant runs low, and a final one with release=true on drain); the
 * server answers every SyncRequest with exactly one SyncResponse carrying the same
 * request_id. Every number is cumulative per lease, so a retried or duplicated request is
 * harmless: the ledger applies a report only when its seq is above the last applied one.
 */
export interface UsageServiceHandlers extends grpc.UntypedServiceImplementation {
  Sync: grpc.handleBidiStreamingCall<_sockscale_usage_v1_SyncRequest__Output, _sockscale_usage_v1_SyncResponse>;
  
}

export interface UsageServiceDefinition extends grpc.ServiceDefinition {
  Sync: MethodDefinition<_sockscale_usage_v1_SyncRequest, _sockscale_usage_v1_SyncResponse, _sockscale_usage_v1_SyncRequest__Output, _sockscale_usage_v1_SyncResponse__Output>
}
