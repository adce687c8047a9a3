// Original file: proto/sockscale/relay/v1/relay.proto

import type { Relay as _sockscale_relay_v1_Relay, Relay__Output as _sockscale_relay_v1_Relay__Output } from '../../../sockscale/relay/v1/Relay';

export interface RegisterRequest {
  'relay'?: (_sockscale_relay_v1_Relay | null);
  /**
   * Lease time-to-live; 2-300 seconds.
   */
  'ttlSeconds'?: (number);
}

export interface RegisterRequest__Output {
  'relay': (_sockscale_relay_v1_Relay__Output | null);
  /**
   * Lease time-to-live; 2-300 seconds.
   */
  'ttlSeconds': (number);
}
