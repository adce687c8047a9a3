// Original file: proto/sockscale/admin/v1/admin.proto

import type { ObjectResult as _sockscale_admin_v1_ObjectResult, ObjectResult__Output as _sockscale_admin_v1_ObjectResult__Output } from '../../../sockscale/admin/v1/ObjectResult';
import type { Long } from '@grpc/proto-loader';

export interface DeleteResponse {
  'results'?: (_sockscale_admin_v1_ObjectResult)[];
  'version'?: (number | string | Long);
}

export interface DeleteResponse__Output {
  'results': (_sockscale_admin_v1_ObjectResult__Output)[];
  'version': (number);
}
