// Original file: proto/sockscale/policy/v1/discovery.proto

import type { Hello as _sockscale_policy_v1_Hello, Hello__Output as _sockscale_policy_v1_Hello__Output } from '../../../sockscale/policy/v1/Hello';
import type { Ack as _sockscale_policy_v1_Ack, Ack__Output as _sockscale_policy_v1_Ack__Output } from '../../../sockscale/policy/v1/Ack';
import type { Nack as _sockscale_policy_v1_Nack, Nack__Output as _sockscale_policy_v1_Nack__Output } from '../../../sockscale/policy/v1/Nack';

export interface WatchRequest {
  'hello'?: (_sockscale_policy_v1_Hello | null);
  'ack'?: (_sockscale_policy_v1_Ack | null);
  'nack'?: (_sockscale_policy_v1_Nack | null);
  'message'?: "hello"|"ack"|"nack";
}

export interface WatchRequest__Output {
  'hello'?: (_sockscale_policy_v1_Hello__Output | null);
  'ack'?: (_sockscale_policy_v1_Ack__Output | null);
  'nack'?: (_sockscale_policy_v1_Nack__Output | null);
  'message'?: "hello"|"ack"|"nack";
}
