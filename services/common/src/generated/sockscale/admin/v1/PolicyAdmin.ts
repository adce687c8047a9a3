// Original file: proto/sockscale/admin/v1/admin.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ApplyRequest as _sockscale_admin_v1_ApplyRequest, ApplyRequest__Output as _sockscale_admin_v1_ApplyRequest__Output } from '../../../sockscale/admin/v1/ApplyRequest';
import type { ApplyResponse as _sockscale_admin_v1_ApplyResponse, ApplyResponse__Output as _sockscale_admin_v1_ApplyResponse__Output } from '../../../sockscale/admin/v1/ApplyResponse';
import type { DeleteRequest as _sockscale_admin_v1_DeleteRequest, DeleteRequest__Output as _sockscale_admin_v1_DeleteRequest__Output } from '../../../sockscale/admin/v1/DeleteRequest';
import type { DeleteResponse as _sockscale_admin_v1_DeleteResponse, DeleteResponse__Output as _sockscale_admin_v1_DeleteResponse__Output } from '../../../sockscale/admin/v1/DeleteResponse';
import type { ListProxiesRequest as _sockscale_admin_v1_ListProxiesRequest, ListProxiesRequest__Output as _sockscale_admin_v1_ListProxiesRequest__Output } from '../../../sockscale/admin/v1/ListProxiesRequest';
import type { ListProxiesResponse as _sockscale_admin_v1_ListProxiesResponse, ListProxiesResponse__Output as _sockscale_admin_v1_ListProxiesResponse__Output } from '../../../sockscale/admin/v1/ListProxiesResponse';
import type { ListRequest as _sockscale_admin_v1_ListRequest, ListRequest__Output as _sockscale_admin_v1_ListRequest__Output } from '../../../sockscale/admin/v1/ListRequest';
import type { ListResponse as _sockscale_admin_v1_ListResponse, ListResponse__Output as _sockscale_admin_v1_ListResponse__Output } from '../../../sockscale/admin/v1/ListResponse';

/**
 * Administration of policy objects (what `sockscale apply|delete|get` use). Every call needs a
 * credential: `authorization: Bearer <token>` metadata, or a client certificate signed by the
 * admin CA when the server is started with one. Errors use standard gRPC codes:
 * UNAUTHENTICATED (no/wrong credential), INVALID_ARGUMENT (every problem listed in the
 * message, one per line), NOT_FOUND, UNAVAILABLE (store unreachable), RESOURCE_EXHAUSTED
 * (message too large).
 */
export interface PolicyAdminClient extends grpc.Client {
  /**
   * Creates or replaces objects, all or nothing (one store transaction).
   */
  Apply(argument: _sockscale_admin_v1_ApplyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_admin_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  Apply(argument: _sockscale_admin_v1_ApplyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_admin_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  Apply(argument: _sockscale_admin_v1_ApplyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_admin_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  Apply(argument: _sockscale_admin_v1_ApplyRequest, callback: grpc.requestCallback<_sockscale_admin_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Creates or replaces objects, all or nothing (one store transaction).
   */
  apply(argument: _sockscale_admin_v1_ApplyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_admin_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _sockscale_admin_v1_ApplyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_admin_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _sockscale_admin_v1_ApplyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_admin_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _sockscale_admin_v1_ApplyRequest, callback: grpc.requestCallback<_sockscale_admin_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Deletes objects by kind and name, all or nothing; NOT_FOUND names every missing one.
   */
  Delete(argument: _sockscale_admin_v1_DeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _sockscale_admin_v1_DeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _sockscale_admin_v1_DeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _sockscale_admin_v1_DeleteRequest, callback: grpc.requestCallback<_sockscale_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Deletes objects by kind and name, all or nothing; NOT_FOUND names every missing one.
   */
  delete(argument: _sockscale_admin_v1_DeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _sockscale_admin_v1_DeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _sockscale_admin_v1_DeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _sockscale_admin_v1_DeleteRequest, callback: grpc.requestCallback<_sockscale_admin_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Lists objects (optionally of one kind).
   */
  List(argument: _sockscale_admin_v1_ListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_admin_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _sockscale_admin_v1_ListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_admin_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _sockscale_admin_v1_ListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_admin_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _sockscale_admin_v1_ListRequest, callback: grpc.requestCallback<_sockscale_admin_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Lists objects (optionally of one kind).
   */
  list(argument: _sockscale_admin_v1_ListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_admin_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _sockscale_admin_v1_ListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_admin_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _sockscale_admin_v1_ListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_admin_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _sockscale_admin_v1_ListRequest, callback: grpc.requestCallback<_sockscale_admin_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Proxies connected to this replica and the snapshot versions they ACKed or NACKed.
   */
  ListProxies(argument: _sockscale_admin_v1_ListProxiesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_admin_v1_ListProxiesResponse__Output>): grpc.ClientUnaryCall;
  ListProxies(argument: _sockscale_admin_v1_ListProxiesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_admin_v1_ListProxiesResponse__Output>): grpc.ClientUnaryCall;
  ListProxies(argument: _sockscale_admin_v1_ListProxiesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_admin_v1_ListProxiesResponse__Output>): grpc.ClientUnaryCall;
  ListProxies(argument: _sockscale_admin_v1_ListProxiesRequest, callback: grpc.requestCallback<_sockscale_admin_v1_ListProxiesResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Proxies connected to this replica and the snapshot versions they ACKed or NACKed.
   */
  listProxies(argument: _sockscale_admin_v1_ListProxiesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_admin_v1_ListProxiesResponse__Output>): grpc.ClientUnaryCall;
  listProxies(argument: _sockscale_admin_v1_ListProxiesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_admin_v1_ListProxiesResponse__Output>): grpc.ClientUnaryCall;
  listProxies(argument: _sockscale_admin_v1_ListProxiesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_admin_v1_ListProxiesResponse__Output>): grpc.ClientUnaryCall;
  listProxies(argument: _sockscale_admin_v1_ListProxiesRequest, callback: grpc.requestCallback<_sockscale_admin_v1_ListProxiesResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * Administration of policy objects (what `sockscale apply|delete|get` use). Every call needs a
 * credential: `authorization: Bearer <token>` metadata, or a client certificate signed by the
 * admin CA when the server is started with one. Errors use standard gRPC codes:
 * UNAUTHENTICATED (no/wrong credential), INVALID_ARGUMENT (every problem listed in the
 * message, one per line), NOT_FOUND, UNAVAILABLE (store unreachable), RESOURCE_EXHAUSTED
 * (message too large).
 */
export interface PolicyAdminHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Creates or replaces objects, all or nothing (one store transaction).
   */
  Apply: grpc.handleUnaryCall<_sockscale_admin_v1_ApplyRequest__Output, _sockscale_admin_v1_ApplyResponse>;
  
  /**
   * Deletes objects by kind and name, all or nothing; NOT_FOUND names every missing one.
   */
  Delete: grpc.handleUnaryCall<_sockscale_admin_v1_DeleteRequest__Output, _sockscale_admin_v1_DeleteResponse>;
  
  /**
   * Lists objects (optionally of one kind).
   */
  List: grpc.handleUnaryCall<_sockscale_admin_v1_ListRequest__Output, _sockscale_admin_v1_ListResponse>;
  
  /**
   * Proxies connected to this replica and the snapshot versions they ACKed or NACKed.
   */
  ListProxies: grpc.handleUnaryCall<_sockscale_admin_v1_ListProxiesRequest__Output, _sockscale_admin_v1_ListProxiesResponse>;
  
}

export interface PolicyAdminDefinition extends grpc.ServiceDefinition {
  Apply: MethodDefinition<_sockscale_admin_v1_ApplyRequest, _sockscale_admin_v1_ApplyResponse, _sockscale_admin_v1_ApplyRequest__Output, _sockscale_admin_v1_ApplyResponse__Output>
  Delete: MethodDefinition<_sockscale_admin_v1_DeleteRequest, _sockscale_admin_v1_DeleteResponse, _sockscale_admin_v1_DeleteRequest__Output, _sockscale_admin_v1_DeleteResponse__Output>
  List: MethodDefinition<_sockscale_admin_v1_ListRequest, _sockscale_admin_v1_ListResponse, _sockscale_admin_v1_ListRequest__Output, _sockscale_admin_v1_ListResponse__Output>
  ListProxies: MethodDefinition<_sockscale_admin_v1_ListProxiesRequest, _sockscale_admin_v1_ListProxiesResponse, _sockscale_admin_v1_ListProxiesRequest__Output, _sockscale_admin_v1_ListProxiesResponse__Output>
}
