// Original file: proto/sockscale/policy/v1/discovery.proto

import type { Snapshot as _sockscale_policy_v1_Snapshot, Snapshot__Output as _sockscale_policy_v1_Snapshot__Output } from '../../../sockscale/policy/v1/Snapshot';

export interface WatchResponse {
  'snapshot'?: (_sockscale_policy_v1_Snapshot | null);
  /**
   * Opaque; echoed in the Ack/Nack for this snapshot.
   */
  'nonce'?: (string);
}

export interface WatchResponse__Output {
  'snapshot': (_sockscale_policy_v1_Snapshot__Output | null);
  /**
   * Opaque; echoed in the Ack/Nack for this snapshot.
   */
  'nonce': (string);
}
