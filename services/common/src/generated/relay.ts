import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AssociateRequest as _sockscale_relay_v1_AssociateRequest, AssociateRequest__Output as _sockscale_relay_v1_AssociateRequest__Output } from './sockscale/relay/v1/AssociateRequest';
import type { AssociateResponse as _sockscale_relay_v1_AssociateResponse, AssociateResponse__Output as _sockscale_relay_v1_AssociateResponse__Output } from './sockscale/relay/v1/AssociateResponse';
import type { Association as _sockscale_relay_v1_Association, Association__Output as _sockscale_relay_v1_Association__Output } from './sockscale/relay/v1/Association';
import type { DeregisterRequest as _sockscale_relay_v1_DeregisterRequest, DeregisterRequest__Output as _sockscale_relay_v1_DeregisterRequest__Output } from './sockscale/relay/v1/DeregisterRequest';
import type { DeregisterResponse as _sockscale_relay_v1_DeregisterResponse, DeregisterResponse__Output as _sockscale_relay_v1_DeregisterResponse__Output } from './sockscale/relay/v1/DeregisterResponse';
import type { DissociateRequest as _sockscale_relay_v1_DissociateRequest, DissociateRequest__Output as _sockscale_relay_v1_DissociateRequest__Output } from './sockscale/relay/v1/DissociateRequest';
import type { DissociateResponse as _sockscale_relay_v1_DissociateResponse, DissociateResponse__Output as _sockscale_relay_v1_DissociateResponse__Output } from './sockscale/relay/v1/DissociateResponse';
import type { Endpoint as _sockscale_relay_v1_Endpoint, Endpoint__Output as _sockscale_relay_v1_Endpoint__Output } from './sockscale/relay/v1/Endpoint';
import type { KeepAliveRequest as _sockscale_relay_v1_KeepAliveRequest, KeepAliveRequest__Output as _sockscale_relay_v1_KeepAliveRequest__Output } from './sockscale/relay/v1/KeepAliveRequest';
import type { KeepAliveResponse as _sockscale_relay_v1_KeepAliveResponse, KeepAliveResponse__Output as _sockscale_relay_v1_KeepAliveResponse__Output } from './sockscale/relay/v1/KeepAliveResponse';
import type { ListRegistryRequest as _sockscale_relay_v1_ListRegistryRequest, ListRegistryRequest__Output as _sockscale_relay_v1_ListRegistryRequest__Output } from './sockscale/relay/v1/ListRegistryRequest';
import type { ListRegistryResponse as _sockscale_relay_v1_ListRegistryResponse, ListRegistryResponse__Output as _sockscale_relay_v1_ListRegistryResponse__Output } from './sockscale/relay/v1/ListRegistryResponse';
import type { LookupRequest as _sockscale_relay_v1_LookupRequest, LookupRequest__Output as _sockscale_relay_v1_LookupRequest__Output } from './sockscale/relay/v1/LookupRequest';
import type { LookupResponse as _sockscale_relay_v1_LookupResponse, LookupResponse__Output as _sockscale_relay_v1_LookupResponse__Output } from './sockscale/relay/v1/LookupResponse';
import type { RegisterRequest as _sockscale_relay_v1_RegisterRequest, RegisterRequest__Output as _sockscale_relay_v1_RegisterRequest__Output } from './sockscale/relay/v1/RegisterRequest';
import type { RegisterResponse as _sockscale_relay_v1_RegisterResponse, RegisterResponse__Output as _sockscale_relay_v1_RegisterResponse__Output } from './sockscale/relay/v1/RegisterResponse';
import type { RegistryEvent as _sockscale_relay_v1_RegistryEvent, RegistryEvent__Output as _sockscale_relay_v1_RegistryEvent__Output } from './sockscale/relay/v1/RegistryEvent';
import type { Relay as _sockscale_relay_v1_Relay, Relay__Output as _sockscale_relay_v1_Relay__Output } from './sockscale/relay/v1/Relay';
import type { RelayRegistryClient as _sockscale_relay_v1_RelayRegistryClient, RelayRegistryDefinition as _sockscale_relay_v1_RelayRegistryDefinition } from './sockscale/relay/v1/RelayRegistry';
import type { WatchRegistryRequest as _sockscale_relay_v1_WatchRegistryRequest, WatchRegistryRequest__Output as _sockscale_relay_v1_WatchRegistryRequest__Output } from './sockscale/relay/v1/WatchRegistryRequest';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  sockscale: {
    relay: {
      v1: {
        AssociateRequest: MessageTypeDefinition<_sockscale_relay_v1_AssociateRequest, _sockscale_relay_v1_AssociateRequest__Output>
        AssociateResponse: MessageTypeDefinition<_sockscale_relay_v1_AssociateResponse, _sockscale_relay_v1_AssociateResponse__Output>
        Association: MessageTypeDefinition<_sockscale_relay_v1_Association, _sockscale_relay_v1_Association__Output>
        DeregisterRequest: MessageTypeDefinition<_sockscale_relay_v1_DeregisterRequest, _sockscale_relay_v1_DeregisterRequest__Output>
        DeregisterResponse: MessageTypeDefinition<_sockscale_relay_v1_DeregisterResponse, _sockscale_relay_v1_DeregisterResponse__Output>
        DissociateRequest: MessageTypeDefinition<_sockscale_relay_v1_DissociateRequest, _sockscale_relay_v1_DissociateRequest__Output>
        DissociateResponse: MessageTypeDefinition<_sockscale_relay_v1_DissociateResponse, _sockscale_relay_v1_DissociateResponse__Output>
        Endpoint: MessageTypeDefinition<_sockscale_relay_v1_Endpoint, _sockscale_relay_v1_Endpoint__Output>
        KeepAliveRequest: MessageTypeDefinition<_sockscale_relay_v1_KeepAliveRequest, _sockscale_relay_v1_KeepAliveRequest__Output>
        KeepAliveResponse: MessageTypeDefinition<_sockscale_relay_v1_KeepAliveResponse, _sockscale_relay_v1_KeepAliveResponse__Output>
        ListRegistryRequest: MessageTypeDefinition<_sockscale_relay_v1_ListRegistryRequest, _sockscale_relay_v1_ListRegistryRequest__Output>
        ListRegistryResponse: MessageTypeDefinition<_sockscale_relay_v1_ListRegistryResponse, _sockscale_relay_v1_ListRegistryResponse__Output>
        LookupRequest: MessageTypeDefinition<_sockscale_relay_v1_LookupRequest, _sockscale_relay_v1_LookupRequest__Output>
        LookupResponse: MessageTypeDefinition<_sockscale_relay_v1_LookupResponse, _sockscale_relay_v1_LookupResponse__Output>
        RegisterRequest: MessageTypeDefinition<_sockscale_relay_v1_RegisterRequest, _sockscale_relay_v1_RegisterRequest__Output>
        RegisterResponse: MessageTypeDefinition<_sockscale_relay_v1_RegisterResponse, _sockscale_relay_v1_RegisterResponse__Output>
        RegistryEvent: MessageTypeDefinition<_sockscale_relay_v1_RegistryEvent, _sockscale_relay_v1_RegistryEvent__Output>
        Relay: MessageTypeDefinition<_sockscale_relay_v1_Relay, _sockscale_relay_v1_Relay__Output>
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
        RelayRegistry: SubtypeConstructor<typeof grpc.Client, _sockscale_relay_v1_RelayRegistryClient> & { service: _sockscale_relay_v1_RelayRegistryDefinition }
        WatchRegistryRequest: MessageTypeDefinition<_sockscale_relay_v1_WatchRegistryRequest, _sockscale_relay_v1_WatchRegistryRequest__Output>
      }
    }
  }
}

