import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ApplyRequest as _sockscale_admin_v1_ApplyRequest, ApplyRequest__Output as _sockscale_admin_v1_ApplyRequest__Output } from './sockscale/admin/v1/ApplyRequest';
import type { ApplyResponse as _sockscale_admin_v1_ApplyResponse, ApplyResponse__Output as _sockscale_admin_v1_ApplyResponse__Output } from './sockscale/admin/v1/ApplyResponse';
import type { DeleteRequest as _sockscale_admin_v1_DeleteRequest, DeleteRequest__Output as _sockscale_admin_v1_DeleteRequest__Output } from './sockscale/admin/v1/DeleteRequest';
import type { DeleteResponse as _sockscale_admin_v1_DeleteResponse, DeleteResponse__Output as _sockscale_admin_v1_DeleteResponse__Output } from './sockscale/admin/v1/DeleteResponse';
import type { ListProxiesRequest as _sockscale_admin_v1_ListProxiesRequest, ListProxiesRequest__Output as _sockscale_admin_v1_ListProxiesRequest__Output } from './sockscale/admin/v1/ListProxiesRequest';
import type { ListProxiesResponse as _sockscale_admin_v1_ListProxiesResponse, ListProxiesResponse__Output as _sockscale_admin_v1_ListProxiesResponse__Output } from './sockscale/admin/v1/ListProxiesResponse';
import type { ListRequest as _sockscale_admin_v1_ListRequest, ListRequest__Output as _sockscale_admin_v1_ListRequest__Output } from './sockscale/admin/v1/ListRequest';
import type { ListResponse as _sockscale_admin_v1_ListResponse, ListResponse__Output as _sockscale_admin_v1_ListResponse__Output } from './sockscale/admin/v1/ListResponse';
import type { ObjectRef as _sockscale_admin_v1_ObjectRef, ObjectRef__Output as _sockscale_admin_v1_ObjectRef__Output } from './sockscale/admin/v1/ObjectRef';
import type { ObjectResult as _sockscale_admin_v1_ObjectResult, ObjectResult__Output as _sockscale_admin_v1_ObjectResult__Output } from './sockscale/admin/v1/ObjectResult';
import type { PolicyAdminClient as _sockscale_admin_v1_PolicyAdminClient, PolicyAdminDefinition as _sockscale_admin_v1_PolicyAdminDefinition } from './sockscale/admin/v1/PolicyAdmin';
import type { ProxyStatus as _sockscale_admin_v1_ProxyStatus, ProxyStatus__Output as _sockscale_admin_v1_ProxyStatus__Output } from './sockscale/admin/v1/ProxyStatus';
import type { PolicyObject as _sockscale_policy_v1_PolicyObject, PolicyObject__Output as _sockscale_policy_v1_PolicyObject__Output } from './sockscale/policy/v1/PolicyObject';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  sockscale: {
    admin: {
      v1: {
        ApplyRequest: MessageTypeDefinition<_sockscale_admin_v1_ApplyRequest, _sockscale_admin_v1_ApplyRequest__Output>
        ApplyResponse: MessageTypeDefinition<_sockscale_admin_v1_ApplyResponse, _sockscale_admin_v1_ApplyResponse__Output>
        DeleteRequest: MessageTypeDefinition<_sockscale_admin_v1_DeleteRequest, _sockscale_admin_v1_DeleteRequest__Output>
        DeleteResponse: MessageTypeDefinition<_sockscale_admin_v1_DeleteResponse, _sockscale_admin_v1_DeleteResponse__Output>
        ListProxiesRequest: MessageTypeDefinition<_sockscale_admin_v1_ListProxiesRequest, _sockscale_admin_v1_ListProxiesRequest__Output>
        ListProxiesResponse: MessageTypeDefinition<_sockscale_admin_v1_ListProxiesResponse, _sockscale_admin_v1_ListProxiesResponse__Output>
        ListRequest: MessageTypeDefinition<_sockscale_admin_v1_ListRequest, _sockscale_admin_v1_ListRequest__Output>
        ListResponse: MessageTypeDefinition<_sockscale_admin_v1_ListResponse, _sockscale_admin_v1_ListResponse__Output>
        ObjectRef: MessageTypeDefinition<_sockscale_admin_v1_ObjectRef, _sockscale_admin_v1_ObjectRef__Output>
        ObjectResult: MessageTypeDefinition<_sockscale_admin_v1_ObjectResult, _sockscale_admin_v1_ObjectResult__Output>
        /**
         * Administration of policy objects (what `sockscale apply|delete|get` use). Every call needs a
         * credential: `authorization: Bearer <token>` metadata, or a client certificate signed by the
         * admin CA when the server is started with one. Errors use standard gRPC codes:
         * UNAUTHENTICATED (no/wrong credential), INVALID_ARGUMENT (every problem listed in the
         * message, one per line), NOT_FOUND, UNAVAILABLE (store unreachable), RESOURCE_EXHAUSTED
         * (message too large).
         */
        PolicyAdmin: SubtypeConstructor<typeof grpc.Client, _sockscale_admin_v1_PolicyAdminClient> & { service: _sockscale_admin_v1_PolicyAdminDefinition }
        ProxyStatus: MessageTypeDefinition<_sockscale_admin_v1_ProxyStatus, _sockscale_admin_v1_ProxyStatus__Output>
      }
    }
    policy: {
      v1: {
        PolicyObject: MessageTypeDefinition<_sockscale_policy_v1_PolicyObject, _sockscale_policy_v1_PolicyObject__Output>
      }
    }
  }
}

