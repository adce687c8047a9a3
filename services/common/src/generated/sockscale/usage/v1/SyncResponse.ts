// Original file: proto/sockscale/usage/v1/usage.proto

import type { AccountGrant as _sockscale_usage_v1_AccountGrant, AccountGrant__Output as _sockscale_usage_v1_AccountGrant__Output } from '../../../sockscale/usage/v1/AccountGrant';
import type { AllotmentGrant as _sockscale_usage_v1_AllotmentGrant, AllotmentGrant__Output as _sockscale_usage_v1_AllotmentGrant__Output } from '../../../sockscale/usage/v1/AllotmentGrant';
import type { Long } from '@grpc/proto-loader';

export interface SyncResponse {
  'requestId'?: (number | string | Long);
  'grants'?: (_sockscale_usage_v1_AccountGrant)[];
  'allotments'?: (_sockscale_usage_v1_AllotmentGrant)[];
}

export interface SyncResponse__Output {
  'requestId': (number);
  'grants': (_sockscale_usage_v1_AccountGrant__Output)[];
  'allotments': (_sockscale_usage_v1_AllotmentGrant__Output)[];
}
