// Original file: proto/sockscale/relay/v1/relay.proto

import type { Association as _sockscale_relay_v1_Association, Association__Output as _sockscale_relay_v1_Association__Output } from '../../../sockscale/relay/v1/Association';

export interface AssociateRequest {
  'leaseId'?: (string);
  'association'?: (_sockscale_relay_v1_Association | null);
}

export interface AssociateRequest__Output {
  'leaseId': (string);
  'association': (_sockscale_relay_v1_Association__Output | null);
}
