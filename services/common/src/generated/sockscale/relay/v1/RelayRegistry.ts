// Original file: proto/sockscale/relay/v1/relay.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AssociateRequest as _sockscale_relay_v1_AssociateRequest, AssociateRequest__Output as _sockscale_relay_v1_AssociateRequest__Output } from '../../../sockscale/relay/v1/AssociateRequest';
import type { AssociateResponse as _sockscale_relay_v1_AssociateResponse, AssociateResponse__Output as _sockscale_relay_v1_AssociateResponse__Output } from '../../../sockscale/relay/v1/AssociateResponse';
import type { DeregisterRequest as _sockscale_relay_v1_DeregisterRequest, DeregisterRequest__Output as _sockscale_relay_v1_DeregisterRequest__Output } from '../../../sockscale/relay/v1/DeregisterRequest';
import type { DeregisterResponse as _sockscale_relay_v1_DeregisterResponse, DeregisterResponse__Output as _sockscale_relay_v1_DeregisterResponse__Output } from '../../../sockscale/relay/v1/DeregisterResponse';
import type { DissociateRequest as _sockscale_relay_v1_DissociateRequest, DissociateRequest__Output as _sockscale_relay_v1_DissociateRequest__Output } from '../../../sockscale/relay/v1/DissociateRequest';
import type { DissociateResponse as _sockscale_relay_v1_DissociateResponse, DissociateResponse__Output as _sockscale_relay_v1_DissociateResponse__Output } from '../../../sockscale/relay/v1/DissociateResponse';
import type { KeepAliveRequest as _sockscale_relay_v1_KeepAliveRequest, KeepAliveRequest__Output as _sockscale_relay_v1_KeepAliveRequest__Output } from '../../../sockscale/relay/v1/KeepAliveRequest';
import type { KeepAliveResponse as _sockscale_relay_v1_KeepAliveResponse, KeepAliveResponse__Output as _sockscale_relay_v1_KeepAliveResponse__Output } from '../../../sockscale/relay/v1/KeepAliveResponse';
import type { ListRegistryRequest as _sockscale_relay_v1_ListRegistryRequest, ListRegistryRequest__Output as _sockscale_relay_v1_ListRegistryRequest__Output } from '../../../sockscale/relay/v1/ListRegistryRequest';
import type { ListRegistryResponse as _sockscale_relay_v1_ListRegistryResponse, ListRegistryResponse__Output as _sockscale_relay_v1_ListRegistryResponse__Output } from '../../../sockscale/relay/v1/ListRegistryResponse';
import type { LookupRequest as _sockscale_relay_v1_LookupRequest, LookupRequest__Output as _sockscale_relay_v1_LookupRequest__Output } from '../../../sockscale/relay/v1/LookupRequest';
import type { LookupResponse as _sockscale_relay_v1_LookupResponse, LookupResponse__Output as _sockscale_relay_v1_LookupResponse__Output } from '../../../sockscale/relay/v1/LookupResponse';
import type { RegisterRequest as _sockscale_relay_v1_RegisterRequest, RegisterRequest__Output as _sockscale_relay_v1_RegisterRequest__Output } from '../../../sockscale/relay/v1/RegisterRequest';
import type { RegisterResponse as _sockscale_relay_v1_RegisterResponse, RegisterResponse__Output as _sockscale_relay_v1_RegisterResponse__Output } from '../../../sockscale/relay/v1/RegisterResponse';
import type { RegistryEvent as _sockscale_relay_v1_RegistryEvent, RegistryEvent__Output as _sockscale_relay_v1_RegistryEvent__Output } from '../../../sockscale/relay/v1/RegistryEvent';
import type { WatchRegistryRequest as _sockscale_relay_v1_WatchRegistryRequest, WatchRegistryRequest__Output as _sockscale_relay_v1_WatchRegistryRequest__Output } from '../../../sockscale/relay/v1/WatchRegistryRequest';

/**
 * The UDP relay registry (DESIGN.md section 5). Every proxy that relays UDP through a relay
 * port registers its endpoints under a lease (an etcd lease in a cluster) that it renews while
 * alive; each UDP ASSOCIATE it accepts is recorded under the same lease and removed when the
 * association's TCP session ends. A proxy that dies stops renewing, and everything it recorded
 * vanishes when the lease runs out. In shared-address mode every proxy follows the
 * associations (Watch) so it can relay a datagram for an association another proxy owns.
 * 
 * Every call is unary except Watch, and none depends on which control-plane replica answers:
 * the lease lives in the store, so a proxy may renew through any replica.
 */
export interface RelayRegistryClient extends grpc.Client {
  /**
   * Records (or replaces) one association under the owner's lease. NOT_FOUND when the lease is gone.
   */
  Associate(argument: _sockscale_relay_v1_AssociateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_AssociateResponse__Output>): grpc.ClientUnaryCall;
  Associate(argument: _sockscale_relay_v1_AssociateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_relay_v1_AssociateResponse__Output>): grpc.ClientUnaryCall;
  Associate(argument: _sockscale_relay_v1_AssociateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_AssociateResponse__Output>): grpc.ClientUnaryCall;
  Associate(argument: _sockscale_relay_v1_AssociateRequest, callback: grpc.requestCallback<_sockscale_relay_v1_AssociateResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Records (or replaces) one association under the owner's lease. NOT_FOUND when the lease is gone.
   */
  associate(argument: _sockscale_relay_v1_AssociateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_AssociateResponse__Output>): grpc.ClientUnaryCall;
  associate(argument: _sockscale_relay_v1_AssociateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_relay_v1_AssociateResponse__Output>): grpc.ClientUnaryCall;
  associate(argument: _sockscale_relay_v1_AssociateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_AssociateResponse__Output>): grpc.ClientUnaryCall;
  associate(argument: _sockscale_relay_v1_AssociateRequest, callback: grpc.requestCallback<_sockscale_relay_v1_AssociateResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Revokes the lease: the relay and all its associations are removed at once (drain).
   */
  Deregister(argument: _sockscale_relay_v1_DeregisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  Deregister(argument: _sockscale_relay_v1_DeregisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_relay_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  Deregister(argument: _sockscale_relay_v1_DeregisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  Deregister(argument: _sockscale_relay_v1_DeregisterRequest, callback: grpc.requestCallback<_sockscale_relay_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Revokes the lease: the relay and all its associations are removed at once (drain).
   */
  deregister(argument: _sockscale_relay_v1_DeregisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  deregister(argument: _sockscale_relay_v1_DeregisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_relay_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  deregister(argument: _sockscale_relay_v1_DeregisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  deregister(argument: _sockscale_relay_v1_DeregisterRequest, callback: grpc.requestCallback<_sockscale_relay_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Removes one association (its TCP session ended). Removing a missing one is not an error.
   */
  Dissociate(argument: _sockscale_relay_v1_DissociateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_DissociateResponse__Output>): grpc.ClientUnaryCall;
  Dissociate(argument: _sockscale_relay_v1_DissociateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_relay_v1_DissociateResponse__Output>): grpc.ClientUnaryCall;
  Dissociate(argument: _sockscale_relay_v1_DissociateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_DissociateResponse__Output>): grpc.ClientUnaryCall;
  Dissociate(argument: _sockscale_relay_v1_DissociateRequest, callback: grpc.requestCallback<_sockscale_relay_v1_DissociateResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Removes one association (its TCP session ended). Removing a missing one is not an error.
   */
  dissociate(argument: _sockscale_relay_v1_DissociateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_DissociateResponse__Output>): grpc.ClientUnaryCall;
  dissociate(argument: _sockscale_relay_v1_DissociateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_relay_v1_DissociateResponse__Output>): grpc.ClientUnaryCall;
  dissociate(argument: _sockscale_relay_v1_DissociateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_DissociateResponse__Output>): grpc.ClientUnaryCall;
  dissociate(argument: _sockscale_relay_v1_DissociateRequest, callback: grpc.requestCallback<_sockscale_relay_v1_DissociateResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Renews a lease. NOT_FOUND when it expired or was revoked: register again and re-record
   * the live associations.
   */
  KeepAlive(argument: _sockscale_relay_v1_KeepAliveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_KeepAliveResponse__Output>): grpc.ClientUnaryCall;
  KeepAlive(argument: _sockscale_relay_v1_KeepAliveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_relay_v1_KeepAliveResponse__Output>): grpc.ClientUnaryCall;
  KeepAlive(argument: _sockscale_relay_v1_KeepAliveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_KeepAliveResponse__Output>): grpc.ClientUnaryCall;
  KeepAlive(argument: _sockscale_relay_v1_KeepAliveRequest, callback: grpc.requestCallback<_sockscale_relay_v1_KeepAliveResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Renews a lease. NOT_FOUND when it expired or was revoked: register again and re-record
   * the live associations.
   */
  keepAlive(argument: _sockscale_relay_v1_KeepAliveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_KeepAliveResponse__Output>): grpc.ClientUnaryCall;
  keepAlive(argument: _sockscale_relay_v1_KeepAliveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_relay_v1_KeepAliveResponse__Output>): grpc.ClientUnaryCall;
  keepAlive(argument: _sockscale_relay_v1_KeepAliveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_KeepAliveResponse__Output>): grpc.ClientUnaryCall;
  keepAlive(argument: _sockscale_relay_v1_KeepAliveRequest, callback: grpc.requestCallback<_sockscale_relay_v1_KeepAliveResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Everything recorded now (admin, tests).
   */
  List(argument: _sockscale_relay_v1_ListRegistryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_ListRegistryResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _sockscale_relay_v1_ListRegistryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_relay_v1_ListRegistryResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _sockscale_relay_v1_ListRegistryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_ListRegistryResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _sockscale_relay_v1_ListRegistryRequest, callback: grpc.requestCallback<_sockscale_relay_v1_ListRegistryResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Everything recorded now (admin, tests).
   */
  list(argument: _sockscale_relay_v1_ListRegistryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_ListRegistryResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _sockscale_relay_v1_ListRegistryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_relay_v1_ListRegistryResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _sockscale_relay_v1_ListRegistryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_ListRegistryResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _sockscale_relay_v1_ListRegistryRequest, callback: grpc.requestCallback<_sockscale_relay_v1_ListRegistryResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The associations recorded for one client IP (all ports); for a proxy whose cache missed.
   */
  Lookup(argument: _sockscale_relay_v1_LookupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_LookupResponse__Output>): grpc.ClientUnaryCall;
  Lookup(argument: _sockscale_relay_v1_LookupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_relay_v1_LookupResponse__Output>): grpc.ClientUnaryCall;
  Lookup(argument: _sockscale_relay_v1_LookupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_LookupResponse__Output>): grpc.ClientUnaryCall;
  Lookup(argument: _sockscale_relay_v1_LookupRequest, callback: grpc.requestCallback<_sockscale_relay_v1_LookupResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The associations recorded for one client IP (all ports); for a proxy whose cache missed.
   */
  lookup(argument: _sockscale_relay_v1_LookupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_LookupResponse__Output>): grpc.ClientUnaryCall;
  lookup(argument: _sockscale_relay_v1_LookupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_relay_v1_LookupResponse__Output>): grpc.ClientUnaryCall;
  lookup(argument: _sockscale_relay_v1_LookupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_LookupResponse__Output>): grpc.ClientUnaryCall;
  lookup(argument: _sockscale_relay_v1_LookupRequest, callback: grpc.requestCallback<_sockscale_relay_v1_LookupResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Grants a lease of `ttl_seconds` and records the relay under it (replacing an earlier record
   * of the same relay id).
   */
  Register(argument: _sockscale_relay_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _sockscale_relay_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_relay_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _sockscale_relay_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _sockscale_relay_v1_RegisterRequest, callback: grpc.requestCallback<_sockscale_relay_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Grants a lease of `ttl_seconds` and records the relay under it (replacing an earlier record
   * of the same relay id).
   */
  register(argument: _sockscale_relay_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _sockscale_relay_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_relay_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _sockscale_relay_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_relay_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _sockscale_relay_v1_RegisterRequest, callback: grpc.requestCallback<_sockscale_relay_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Everything recorded now (first message, `reset` set), then every change as it happens.
   */
  Watch(argument: _sockscale_relay_v1_WatchRegistryRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_sockscale_relay_v1_RegistryEvent__Output>;
  Watch(argument: _sockscale_relay_v1_WatchRegistryRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_sockscale_relay_v1_RegistryEvent__Output>;
  /**
   * Everything recorded now (first message, `reset` set), then every change as it happens.
   */
  watch(argument: _sockscale_relay_v1_WatchRegistryRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_sockscale_relay_v1_RegistryEvent__Output>;
  watch(argument: _sockscale_relay_v1_WatchRegistryRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_sockscale_relay_v1_RegistryEvent__Output>;
  
}

/**
 * The UDP relay registry (DESIGN.md section 5). Every proxy that relays UDP through a relay
 * port registers its endpoints under a lease (an etcd lease in a cluster) that it renews while
 * alive; each UDP ASSOCIATE it accepts is recorded under the same lease and removed when the
 * association's TCP session ends. A proxy that dies stops renewing, and everything it recorded
 * vanishes when the lease runs out. In shared-address mode every proxy follows the
 * associations (Watch) so it can relay a datagram for an association another proxy owns.
 * 
 * Every call is unary except Watch, and none depends on which control-plane replica answers:
 * the lease lives in the store, so a proxy may renew through any replica.
 */
export interface RelayRegistryHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Records (or replaces) one association under the owner's lease. NOT_FOUND when the lease is gone.
   */
  Associate: grpc.handleUnaryCall<_sockscale_relay_v1_AssociateRequest__Output, _sockscale_relay_v1_AssociateResponse>;
  
  /**
   * Revokes the lease: the relay and all its associations are removed at once (drain).
   */
  Deregister: grpc.handleUnaryCall<_sockscale_relay_v1_DeregisterRequest__Output, _sockscale_relay_v1_DeregisterResponse>;
  
  /**
   * Removes one association (its TCP session ended). Removing a missing one is not an error.
   */
  Dissociate: grpc.handleUnaryCall<_sockscale_relay_v1_DissociateRequest__Output, _sockscale_relay_v1_DissociateResponse>;
  
  /**
   * Renews a lease. NOT_FOUND when it expired or was revoked: register again and re-record
   * the live associations.
   */
  KeepAlive: grpc.handleUnaryCall<_sockscale_relay_v1_KeepAliveRequest__Output, _sockscale_relay_v1_KeepAliveResponse>;
  
  /**
   * Everything recorded now (admin, tests).
   */
  List: grpc.handleUnaryCall<_sockscale_relay_v1_ListRegistryRequest__Output, _sockscale_relay_v1_ListRegistryResponse>;
  
  /**
   * The associations recorded for one client IP (all ports); for a proxy whose cache missed.
   */
  Lookup: grpc.handleUnaryCall<_sockscale_relay_v1_LookupRequest__Output, _sockscale_relay_v1_LookupResponse>;
  
  /**
   * Grants a lease of `ttl_seconds` and records the relay under it (replacing an earlier record
   * of the same relay id).
   */
  Register: grpc.handleUnaryCall<_sockscale_relay_v1_RegisterRequest__Output, _sockscale_relay_v1_RegisterResponse>;
  
  /**
   * Everything recorded now (first message, `reset` set), then every change as it happens.
   */
  Watch: grpc.handleServerStreamingCall<_sockscale_relay_v1_WatchRegistryRequest__Output, _sockscale_relay_v1_RegistryEvent>;
  
}

export interface RelayRegistryDefinition extends grpc.ServiceDefinition {
  Associate: MethodDefinition<_sockscale_relay_v1_AssociateRequest, _sockscale_relay_v1_AssociateResponse, _sockscale_relay_v1_AssociateRequest__Output, _sockscale_relay_v1_AssociateResponse__Output>
  Deregister: MethodDefinition<_sockscale_relay_v1_DeregisterRequest, _sockscale_relay_v1_DeregisterResponse, _sockscale_relay_v1_DeregisterRequest__Output, _sockscale_relay_v1_DeregisterResponse__Output>
  Dissociate: MethodDefinition<_sockscale_relay_v1_DissociateRequest, _sockscale_relay_v1_DissociateResponse, _sockscale_relay_v1_DissociateRequest__Output, _sockscale_relay_v1_DissociateResponse__Output>
  KeepAlive: MethodDefinition<_sockscale_relay_v1_KeepAliveRequest, _sockscale_relay_v1_KeepAliveResponse, _sockscale_relay_v1_KeepAliveRequest__Output, _sockscale_relay_v1_KeepAliveResponse__Output>
  List: MethodDefinition<_sockscale_relay_v1_ListRegistryRequest, _sockscale_relay_v1_ListRegistryResponse, _sockscale_relay_v1_ListRegistryRequest__Output, _sockscale_relay_v1_ListRegistryResponse__Output>
  Lookup: MethodDefinition<_sockscale_relay_v1_LookupRequest, _sockscale_relay_v1_LookupResponse, _sockscale_relay_v1_LookupRequest__Output, _sockscale_relay_v1_LookupResponse__Output>
  Register: MethodDefinition<_sockscale_relay_v1_RegisterRequest, _sockscale_relay_v1_RegisterResponse, _sockscale_relay_v1_RegisterRequest__Output, _sockscale_relay_v1_RegisterResponse__Output>
  Watch: MethodDefinition<_sockscale_relay_v1_WatchRegistryRequest, _sockscale_relay_v1_RegistryEvent, _sockscale_relay_v1_WatchRegistryRequest__Output, _sockscale_relay_v1_RegistryEvent__Output>
}
