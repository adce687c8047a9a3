// Original file: proto/sockscale/usage/v1/usage.proto

import type { AccountReport as _sockscale_usage_v1_AccountReport, AccountReport__Output as _sockscale_usage_v1_AccountReport__Output } from '../../../sockscale/usage/v1/AccountReport';
import type { AllotmentReport as _sockscale_usage_v1_AllotmentReport, AllotmentReport__Output as _sockscale_usage_v1_AllotmentReport__Output } from '../../../sockscale/usage/v1/AllotmentReport';
import type { Long } from '@grpc/proto-loader';

export interface SyncRequest {
  /**
   * Unique per proxy process (host:pid:random); leases are named after it.
   */
  'proxyId'?: (string);
  /**
   * Echoed in the response.
   */
  'requestId'?: (number | string | Long);
  'accounts'?: (_sockscale_usage_v1_AccountReport)[];
  /**
   * Cluster-wide bandwidth and connection allotments (SocksQuota `bandwidth`, `maxConnections`,
   * and the `Throttle` rate at exhaustion): sent about once a second per account, and at once
   * when a session waits for a connection slot. Answered in SyncResponse.allotments.
   */
  'allotments'?: (_sockscale_usage_v1_AllotmentReport)[];
}

export interface SyncRequest__Output {
  /**
   * Unique per proxy process (host:pid:random); leases are named after it.
   */
  'proxyId': (string);
  /**
   * Echoed in the response.
   */
  'requestId': (number);
  'accounts': (_sockscale_usage_v1_AccountReport__Output)[];
  /**
   * Cluster-wide bandwidth and connection allotments (SocksQuota `bandwidth`, `maxConnections`,
   * and the `Throttle` rate at exhaustion): sent about once a second per account, and at once
   * when a session waits for a connection slot. Answered in SyncResponse.allotments.
   */
  'allotments': (_sockscale_usage_v1_AllotmentReport__Output)[];
}
