// Original file: proto/sockscale/usage/v1/usage.proto

import type { Long } from '@grpc/proto-loader';

export interface AccountStatus {
  'quota'?: (string);
  'member'?: (string);
  'periodStart'?: (number | string | Long);
  /**
   * When usage resets (epoch ms).
   */
  'periodEnd'?: (number | string | Long);
  'limit'?: (number | string | Long);
  'used'?: (number | string | Long);
  /**
   * Granted to proxies and not yet reported used.
   */
  'outstanding'?: (number | string | Long);
  /**
   * limit - used - outstanding (never below 0).
   */
  'remaining'?: (number | string | Long);
  /**
   * Open proxy leases.
   */
  'leases'?: (number | string | Long);
}

export interface AccountStatus__Output {
  'quota': (string);
  'member': (string);
  'periodStart': (number);
  /**
   * When usage resets (epoch ms).
   */
  'periodEnd': (number);
  'limit': (number);
  'used': (number);
  /**
   * Granted to proxies and not yet reported used.
   */
  'outstanding': (number);
  /**
   * limit - used - outstanding (never below 0).
   */
  'remaining': (number);
  /**
   * Open proxy leases.
   */
  'leases': (number);
}
