// Original file: proto/sockscale/admin/v1/admin.proto


export interface ListRequest {
  /**
   * Empty = every kind.
   */
  'kind'?: (string);
}

export interface ListRequest__Output {
  /**
   * Empty = every kind.
   */
  'kind': (string);
}
