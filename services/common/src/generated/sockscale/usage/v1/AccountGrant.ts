// Original file: proto/sockscale/usage/v1/usage.proto

import type { Long } from '@grpc/proto-loader';

export interface AccountGrant {
  'quota'?: (string);
  'member'?: (string);
  'lease'?: (string);
  /**
   * The period the lease is in, [period_start, period_end) epoch ms (server clock).
   */
  'periodStart'?: (number | string | Long);
  'periodEnd'?: (number | string | Long);
  /**
   * Cumulative bytes granted to the lease; the proxy may relay granted_total - used_total more.
   */
  'grantedTotal'?: (number | string | Long);
  /**
   * How long (from when the proxy sent the request) the grant may be spent: the grant TTL,
   * cut at the period end. A lease not renewed within the TTL is settled as used.
   */
  'ttlMs'?: (number | string | Long);
  /**
   * Nothing more can be granted this period (the quota is used up or fully granted out).
   */
  'exhausted'?: (boolean);
  /**
   * The lease is unknown (settled after its TTL): start a new lease.
   */
  'lapsed'?: (boolean);
  /**
   * The quota no longer exists or has no byte limit: drop the account.
   */
  'unknown'?: (boolean);
  'limit'?: (number | string | Long);
  'used'?: (number | string | Long);
  'remaining'?: (number | string | Long);
}

export interface AccountGrant__Output {
  'quota': (string);
  'member': (string);
  'lease': (string);
  /**
   * The period the lease is in, [period_start, period_end) epoch ms (server clock).
   */
  'periodStart': (number);
  'periodEnd': (number);
  /**
   * Cumulative bytes granted to the lease; the proxy may relay granted_total - used_total more.
   */
  'grantedTotal': (number);
  /**
   * How long (from when the proxy sent the request) the grant may be spent: the grant TTL,
   * cut at the period end. A lease not renewed within the TTL is settled as used.
   */
  'ttlMs': (number);
  /**
   * Nothing more can be granted this period (the quota is used up or fully granted out).
   */
  'exhausted': (boolean);
  /**
   * The lease is unknown (settled after its TTL): start a new lease.
   */
  'lapsed': (boolean);
  /**
   * The quota no longer exists or has no byte limit: drop the account.
   */
  'unknown': (boolean);
  'limit': (number);
  'used': (number);
  'remaining': (number);
}
