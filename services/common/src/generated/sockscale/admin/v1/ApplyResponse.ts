// Original file: proto/sockscale/admin/v1/admin.proto

import type { ObjectResult as _sockscale_admin_v1_ObjectResult, ObjectResult__Output as _sockscale_admin_v1_ObjectResult__Output } from '../../../sockscale/admin/v1/ObjectResult';
import type { Long } from '@grpc/proto-loader';

export interface ApplyResponse {
  'results'?: (_sockscale_admin_v1_ObjectResult)[];
  /**
   * Store version after the write (0 when nothing changed or dry_run).
   */
  'version'?: (number | string | Long);
}

export interface ApplyResponse__Output {
  'results': (_sockscale_admin_v1_ObjectResult__Output)[];
  /**
   * Store version after the write (0 when nothing changed or dry_run).
   */
  'version': (number);
}
