// Original file: proto/sockscale/usage/v1/usage.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One account (quota object + member) of one period, as seen by one proxy lease.
 */
export interface AccountReport {
  /**
   * SocksQuota name.
   */
  'quota'?: (string);
  /**
   * User name, or "*" for a group quota with scope Shared.
   */
  'member'?: (string);
  /**
   * Period the lease belongs to (epoch ms, from an earlier grant); 0 = the current period
   * (a new lease).
   */
  'periodStart'?: (number | string | Long);
  /**
   * Lease id, chosen by the proxy: "<proxy_id>#<n>", new for every period and after a lapse.
   */
  'lease'?: (string);
  /**
   * Increases with every report of this lease.
   */
  'seq'?: (number | string | Long);
  /**
   * Cumulative bytes relayed under this lease.
   */
  'usedTotal'?: (number | string | Long);
  /**
   * Unspent bytes the proxy would like to hold (its recent demand times a few seconds);
   * 0 = report only.
   */
  'want'?: (number | string | Long);
  /**
   * Final report: the unspent grant goes back to the pool and the lease closes (drain, or a
   * period that ended).
   */
  'release'?: (boolean);
}

/**
 * One account (quota object + member) of one period, as seen by one proxy lease.
 */
export interface AccountReport__Output {
  /**
   * SocksQuota name.
   */
  'quota': (string);
  /**
   * User name, or "*" for a group quota with scope Shared.
   */
  'member': (string);
  /**
   * Period the lease belongs to (epoch ms, from an earlier grant); 0 = the current period
   * (a new lease).
   */
  'periodStart': (number);
  /**
   * Lease id, chosen by the proxy: "<proxy_id>#<n>", new for every period and after a lapse.
   */
  'lease': (string);
  /**
   * Increases with every report of this lease.
   */
  'seq': (number);
  /**
   * Cumulative bytes relayed under this lease.
   */
  'usedTotal': (number);
  /**
   * Unspent bytes the proxy would like to hold (its recent demand times a few seconds);
   * 0 = report only.
   */
  'want': (number);
  /**
   * Final report: the unspent grant goes back to the pool and the lease closes (drain, or a
   * period that ended).
   */
  'release': (boolean);
}
