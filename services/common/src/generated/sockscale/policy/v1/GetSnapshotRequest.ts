// Original file: proto/sockscale/policy/v1/discovery.proto

import type { Node as _sockscale_policy_v1_Node, Node__Output as _sockscale_policy_v1_Node__Output } from '../../../sockscale/policy/v1/Node';

export interface GetSnapshotRequest {
  'node'?: (_sockscale_policy_v1_Node | null);
}

export interface GetSnapshotRequest__Output {
  'node': (_sockscale_policy_v1_Node__Output | null);
}
