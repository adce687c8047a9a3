import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Ack as _sockscale_policy_v1_Ack, Ack__Output as _sockscale_policy_v1_Ack__Output } from './sockscale/policy/v1/Ack';
import type { GetSnapshotRequest as _sockscale_policy_v1_GetSnapshotRequest, GetSnapshotRequest__Output as _sockscale_policy_v1_GetSnapshotRequest__Output } from './sockscale/policy/v1/GetSnapshotRequest';
import type { Hello as _sockscale_policy_v1_Hello, Hello__Output as _sockscale_policy_v1_Hello__Output } from './sockscale/policy/v1/Hello';
import type { Nack as _sockscale_policy_v1_Nack, Nack__Output as _sockscale_policy_v1_Nack__Output } from './sockscale/policy/v1/Nack';
import type { Node as _sockscale_policy_v1_Node, Node__Output as _sockscale_policy_v1_Node__Output } from './sockscale/policy/v1/Node';
import type { PolicyDiscoveryClient as _sockscale_policy_v1_PolicyDiscoveryClient, PolicyDiscoveryDefinition as _sockscale_policy_v1_PolicyDiscoveryDefinition } from './sockscale/policy/v1/PolicyDiscovery';
import type { PolicyObject as _sockscale_policy_v1_PolicyObject, PolicyObject__Output as _sockscale_policy_v1_PolicyObject__Output } from './sockscale/policy/v1/PolicyObject';
import type { Snapshot as _sockscale_policy_v1_Snapshot, Snapshot__Output as _sockscale_policy_v1_Snapshot__Output } from './sockscale/policy/v1/Snapshot';
import type { WatchRequest as _sockscale_policy_v1_WatchRequest, WatchRequest__Output as _sockscale_policy_v1_WatchRequest__Output } from './sockscale/policy/v1/WatchRequest';
import type { WatchResponse as _sockscale_policy_v1_WatchResponse, WatchResponse__Output as _sockscale_policy_v1_WatchResponse__Output } from './sockscale/policy/v1/WatchResponse';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  sockscale: {
    policy: {
      v1: {
        Ack: MessageTypeDefinition<_sockscale_policy_v1_Ack, _sockscale_policy_v1_Ack__Output>
        GetSnapshotRequest: MessageTypeDefinition<_sockscale_policy_v1_GetSnapshotRequest, _sockscale_policy_v1_GetSnapshotRequest__Output>
        Hello: MessageTypeDefinition<_sockscale_policy_v1_Hello, _sockscale_policy_v1_Hello__Output>
        Nack: MessageTypeDefinition<_sockscale_policy_v1_Nack, _sockscale_policy_v1_Nack__Output>
        Node: MessageTypeDefinition<_sockscale_policy_v1_Node, _sockscale_policy_v1_Node__Output>
        /**
         * Policy discovery, xDS style: the control plane pushes complete, versioned snapshots; the
         * proxy answers each one with an ACK (applied) or a NACK (rejected, with the reason) and keeps
         * serving with the last snapshot it accepted. Only newer snapshots are sent: a watcher that
         * already holds version V gets nothing until the store moves past V (so a proxy moving to a
         * replica that lags a few milliseconds behind is never rolled back).
         */
        PolicyDiscovery: SubtypeConstructor<typeof grpc.Client, _sockscale_policy_v1_PolicyDiscoveryClient> & { service: _sockscale_policy_v1_PolicyDiscoveryDefinition }
        PolicyObject: MessageTypeDefinition<_sockscale_policy_v1_PolicyObject, _sockscale_policy_v1_PolicyObject__Output>
        Snapshot: MessageTypeDefinition<_sockscale_policy_v1_Snapshot, _sockscale_policy_v1_Snapshot__Output>
        WatchRequest: MessageTypeDefinition<_sockscale_policy_v1_WatchRequest, _sockscale_policy_v1_WatchRequest__Output>
        WatchResponse: MessageTypeDefinition<_sockscale_policy_v1_WatchResponse, _sockscale_policy_v1_WatchResponse__Output>
      }
    }
  }
}

