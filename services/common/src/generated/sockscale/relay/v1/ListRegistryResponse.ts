// Original file: proto/sockscale/relay/v1/relay.proto

import type { Relay as _sockscale_relay_v1_Relay, Relay__Output as _sockscale_relay_v1_Relay__Output } from '../../../sockscale/relay/v1/Relay';
import type { Association as _sockscale_relay_v1_Association, Association__Output as _sockscale_relay_v1_Association__Output } from '../../../sockscale/relay/v1/Association';

export interface ListRegistryResponse {
  'relays'?: (_sockscale_relay_v1_Relay)[];
  'associations'?: (_sockscale_relay_v1_Association)[];
}

export interface ListRegistryResponse__Output {
  'relays': (_sockscale_relay_v1_Relay__Output)[];
  'associations': (_sockscale_relay_v1_Association__Output)[];
}
