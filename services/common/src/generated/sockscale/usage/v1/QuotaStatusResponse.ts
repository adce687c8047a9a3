// Original file: proto/sockscale/usage/v1/usage.proto

import type { AccountStatus as _sockscale_usage_v1_AccountStatus, AccountStatus__Output as _sockscale_usage_v1_AccountStatus__Output } from '../../../sockscale/usage/v1/AccountStatus';

export interface QuotaStatusResponse {
  'accounts'?: (_sockscale_usage_v1_AccountStatus)[];
  'replica'?: (string);
}

export interface QuotaStatusResponse__Output {
  'accounts': (_sockscale_usage_v1_AccountStatus__Output)[];
  'replica': (string);
}
