// Original file: proto/sockscale/policy/v1/discovery.proto

import type { PolicyObject as _sockscale_policy_v1_PolicyObject, PolicyObject__Output as _sockscale_policy_v1_PolicyObject__Output } from '../../../sockscale/policy/v1/PolicyObject';
import type { Long } from '@grpc/proto-loader';

/**
 * A complete policy: every object in force, at one store version.
 * 
 * Room for later issues: SocksQuota objects travel as more `objects` (kind "SocksQuota"); quota
 * grants and bandwidth shares are per-proxy, fast-changing state and use their own stream
 * (sockscale.usage.v1); relay endpoints and associations use sockscale.relay.v1. Fields 3-9 are
 * reserved for cluster-wide settings that must move atomically with the objects.
 */
export interface Snapshot {
  /**
   * Monotonic: the etcd revision the snapshot was built from (a counter in embedded stores).
   */
  'version'?: (number | string | Long);
  /**
   * Sorted by kind, then name.
   */
  'objects'?: (_sockscale_policy_v1_PolicyObject)[];
}

/**
 * A complete policy: every object in force, at one store version.
 * 
 * Room for later issues: SocksQuota objects travel as more `objects` (kind "SocksQuota"); quota
 * grants and bandwidth shares are per-proxy, fast-changing state and use their own stream
 * (sockscale.usage.v1); relay endpoints and associations use sockscale.relay.v1. Fields 3-9 are
 * reserved for cluster-wide settings that must move atomically with the objects.
 */
export interface Snapshot__Output {
  /**
   * Monotonic: the etcd revision the snapshot was built from (a counter in embedded stores).
   */
  'version': (number);
  /**
   * Sorted by kind, then name.
   */
  'objects': (_sockscale_policy_v1_PolicyObject__Output)[];
}
