// Original file: proto/sockscale/admin/v1/admin.proto

import type { PolicyObject as _sockscale_policy_v1_PolicyObject, PolicyObject__Output as _sockscale_policy_v1_PolicyObject__Output } from '../../../sockscale/policy/v1/PolicyObject';
import type { Long } from '@grpc/proto-loader';

export interface ListResponse {
  'objects'?: (_sockscale_policy_v1_PolicyObject)[];
  /**
   * Store version the list was read at.
   */
  'version'?: (number | string | Long);
}

export interface ListResponse__Output {
  'objects': (_sockscale_policy_v1_PolicyObject__Output)[];
  /**
   * Store version the list was read at.
   */
  'version': (number);
}
