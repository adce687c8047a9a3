// Original file: proto/sockscale/relay/v1/relay.proto

import type { Association as _sockscale_relay_v1_Association, Association__Output as _sockscale_relay_v1_Association__Output } from '../../../sockscale/relay/v1/Association';

export interface LookupResponse {
  'associations'?: (_sockscale_relay_v1_Association)[];
}

export interface LookupResponse__Output {
  'associations': (_sockscale_relay_v1_Association__Output)[];
}
