// Original file: proto/sockscale/admin/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface ObjectResult {
  'kind'?: (string);
  'name'?: (string);
  /**
   * "created" | "configured" | "unchanged" | "deleted".
   */
  'outcome'?: (string);
  'generation'?: (number | string | Long);
}

export interface ObjectResult__Output {
  'kind': (string);
  'name': (string);
  /**
   * "created" | "configured" | "unchanged" | "deleted".
   */
  'outcome': (string);
  'generation': (number);
}
