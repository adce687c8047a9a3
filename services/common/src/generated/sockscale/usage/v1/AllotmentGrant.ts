// Original file: proto/sockscale/usage/v1/usage.proto

import type { Long } from '@grpc/proto-loader';

export interface AllotmentGrant {
  'quota'?: (string);
  'member'?: (string);
  /**
   * This proxy's share of the cluster-wide `bandwidth` (bytes/s); 0 = the quota has none.
   */
  'bandwidthShare'?: (number | string | Long);
  /**
   * This proxy's share of the `Throttle` rate at exhaustion (bytes/s); 0 = not a Throttle quota.
   */
  'throttleShare'?: (number | string | Long);
  /**
   * Connection slots this proxy holds (may open this many sessions at once); meaningful when
   * connections_limit > 0.
   */
  'connections'?: (number | string | Long);
  /**
   * The quota's `maxConnections`; 0 = none.
   */
  'connectionsLimit'?: (number | string | Long);
  /**
   * The quota no longer exists or limits neither bandwidth nor connections nor throttles.
   */
  'unknown'?: (boolean);
  /**
   * The ledger could not be updated (etcd unreachable): keep the last share and slots.
   */
  'failed'?: (boolean);
  /**
   * The entry expires this long after the report unless renewed (the grant TTL): a proxy that
   * cannot report for this long stops opening sessions on slots it holds.
   */
  'ttlMs'?: (number | string | Long);
}

export interface AllotmentGrant__Output {
  'quota': (string);
  'member': (string);
  /**
   * This proxy's share of the cluster-wide `bandwidth` (bytes/s); 0 = the quota has none.
   */
  'bandwidthShare': (number);
  /**
   * This proxy's share of the `Throttle` rate at exhaustion (bytes/s); 0 = not a Throttle quota.
   */
  'throttleShare': (number);
  /**
   * Connection slots this proxy holds (may open this many sessions at once); meaningful when
   * connections_limit > 0.
   */
  'connections': (number);
  /**
   * The quota's `maxConnections`; 0 = none.
   */
  'connectionsLimit': (number);
  /**
   * The quota no longer exists or limits neither bandwidth nor connections nor throttles.
   */
  'unknown': (boolean);
  /**
   * The ledger could not be updated (etcd unreachable): keep the last share and slots.
   */
  'failed': (boolean);
  /**
   * The entry expires this long after the report unless renewed (the grant TTL): a proxy that
   * cannot report for this long stops opening sessions on slots it holds.
   */
  'ttlMs': (number);
}
