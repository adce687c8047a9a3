// Original file: proto/sockscale/policy/v1/discovery.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetSnapshotRequest as _sockscale_policy_v1_GetSnapshotRequest, GetSnapshotRequest__Output as _sockscale_policy_v1_GetSnapshotRequest__Output } from '../../../sockscale/policy/v1/GetSnapshotRequest';
import type { Snapshot as _sockscale_policy_v1_Snapshot, Snapshot__Output as _sockscale_policy_v1_Snapshot__Output } from '../../../sockscale/policy/v1/Snapshot';
import type { WatchRequest as _sockscale_policy_v1_WatchRequest, WatchRequest__Output as _sockscale_policy_v1_WatchRequest__Output } from '../../../sockscale/policy/v1/WatchRequest';
import type { WatchResponse as _sockscale_policy_v1_WatchResponse, WatchResponse__Output as _sockscale_policy_v1_WatchResponse__Output } from '../../../sockscale/policy/v1/WatchResponse';

/**
 * Policy discovery, xDS style: the control plane pushes complete, versioned snapshots; the
 * proxy answers each one with an ACK (applied) or a NACK (rejected, with the reason) and keeps
 * serving with the last snapshot it accepted. Only newer snapshots are sent: a watcher that
 * already holds version V gets nothing until the store moves past V (so a proxy moving to a
 * replica that lags a few milliseconds behind is never rolled back).
 */
export interface PolicyDiscoveryClient extends grpc.Client {
  /**
   * The current snapshot, once (start-up, debugging). UNAVAILABLE while the store is unreachable
   * and no snapshot has been built yet.
   */
  Get(argument: _sockscale_policy_v1_GetSnapshotRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_policy_v1_Snapshot__Output>): grpc.ClientUnaryCall;
  Get(argument: _sockscale_policy_v1_GetSnapshotRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_policy_v1_Snapshot__Output>): grpc.ClientUnaryCall;
  Get(argument: _sockscale_policy_v1_GetSnapshotRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_policy_v1_Snapshot__Output>): grpc.ClientUnaryCall;
  Get(argument: _sockscale_policy_v1_GetSnapshotRequest, callback: grpc.requestCallback<_sockscale_policy_v1_Snapshot__Output>): grpc.ClientUnaryCall;
  /**
   * The current snapshot, once (start-up, debugging). UNAVAILABLE while the store is unreachable
   * and no snapshot has been built yet.
   */
  get(argument: _sockscale_policy_v1_GetSnapshotRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_policy_v1_Snapshot__Output>): grpc.ClientUnaryCall;
  get(argument: _sockscale_policy_v1_GetSnapshotRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_policy_v1_Snapshot__Output>): grpc.ClientUnaryCall;
  get(argument: _sockscale_policy_v1_GetSnapshotRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_policy_v1_Snapshot__Output>): grpc.ClientUnaryCall;
  get(argument: _sockscale_policy_v1_GetSnapshotRequest, callback: grpc.requestCallback<_sockscale_policy_v1_Snapshot__Output>): grpc.ClientUnaryCall;
  
  /**
   * Stream of snapshots. The client's first message must be a `hello`; after each snapshot the
   * client sends exactly one `ack` or `nack` naming its nonce.
   */
  Watch(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_sockscale_policy_v1_WatchRequest, _sockscale_policy_v1_WatchResponse__Output>;
  Watch(options?: grpc.CallOptions): grpc.ClientDuplexStream<_sockscale_policy_v1_WatchRequest, _sockscale_policy_v1_WatchResponse__Output>;
  /**
   * Stream of snapshots. The client's first message must be a `hello`; after each snapshot the
   * client sends exactly one `ack` or `nack` naming its nonce.
   */
  watch(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_sockscale_policy_v1_WatchRequest, _sockscale_policy_v1_WatchResponse__Output>;
  watch(options?: grpc.CallOptions): grpc.ClientDuplexStream<_sockscale_policy_v1_WatchRequest, _sockscale_policy_v1_WatchResponse__Output>;
  
}

/**
 * Policy discovery, xDS style: the control plane pushes complete, versioned snapshots; the
 * proxy answers each one with an ACK (applied) or a NACK (rejected, with the reason) and keeps
 * serving with the last snapshot it accepted. Only newer snapshots are sent: a watcher that
 * already holds version V gets nothing until the store moves past V (so a proxy moving to a
 * replica that lags a few milliseconds behind is never rolled back).
 */
export interface PolicyDiscoveryHandlers extends grpc.UntypedServiceImplementation {
  /**
   * The current snapshot, once (start-up, debugging). UNAVAILABLE while the store is unreachable
   * and no snapshot has been built yet.
   */
  Get: grpc.handleUnaryCall<_sockscale_policy_v1_GetSnapshotRequest__Output, _sockscale_policy_v1_Snapshot>;
  
  /**
   * Stream of snapshots. The client's first message must be a `hello`; after each snapshot the
   * client sends exactly one `ack` or `nack` naming its nonce.
   */
  Watch: grpc.handleBidiStreamingCall<_sockscale_policy_v1_WatchRequest__Output, _sockscale_policy_v1_WatchResponse>;
  
}

export interface PolicyDiscoveryDefinition extends grpc.ServiceDefinition {
  Get: MethodDefinition<_sockscale_policy_v1_GetSnapshotRequest, _sockscale_policy_v1_Snapshot, _sockscale_policy_v1_GetSnapshotRequest__Output, _sockscale_policy_v1_Snapshot__Output>
  Watch: MethodDefinition<_sockscale_policy_v1_WatchRequest, _sockscale_policy_v1_WatchResponse, _sockscale_policy_v1_WatchRequest__Output, _sockscale_policy_v1_WatchResponse__Output>
}
