// Original file: proto/sockscale/usage/v1/usage.proto


export interface QuotaStatusRequest {
  /**
   * Empty = every quota.
   */
  'quota'?: (string);
  /**
   * Empty = every member (user name, or "*" for Shared group quotas).
   */
  'member'?: (string);
}

export interface QuotaStatusRequest__Output {
  /**
   * Empty = every quota.
   */
  'quota': (string);
  /**
   * Empty = every member (user name, or "*" for Shared group quotas).
   */
  'member': (string);
}
