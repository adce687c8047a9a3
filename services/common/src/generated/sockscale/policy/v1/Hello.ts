// Original file: proto/sockscale/policy/v1/discovery.proto

import type { Node as _sockscale_policy_v1_Node, Node__Output as _sockscale_policy_v1_Node__Output } from '../../../sockscale/policy/v1/Node';
import type { Long } from '@grpc/proto-loader';

/**
 * First message of a Watch stream.
 */
export interface Hello {
  'node'?: (_sockscale_policy_v1_Node | null);
  /**
   * Version the proxy already applied (0 = none). The server sends a snapshot only when its
   * version differs, so a reconnecting proxy that is up to date receives nothing.
   */
  'haveVersion'?: (number | string | Long);
}

/**
 * First message of a Watch stream.
 */
export interface Hello__Output {
  'node': (_sockscale_policy_v1_Node__Output | null);
  /**
   * Version the proxy already applied (0 = none). The server sends a snapshot only when its
   * version differs, so a reconnecting proxy that is up to date receives nothing.
   */
  'haveVersion': (number);
}
