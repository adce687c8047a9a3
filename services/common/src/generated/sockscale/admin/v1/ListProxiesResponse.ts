// Original file: proto/sockscale/admin/v1/admin.proto

import type { ProxyStatus as _sockscale_admin_v1_ProxyStatus, ProxyStatus__Output as _sockscale_admin_v1_ProxyStatus__Output } from '../../../sockscale/admin/v1/ProxyStatus';
import type { Long } from '@grpc/proto-loader';

export interface ListProxiesResponse {
  /**
   * Version this replica is currently serving.
   */
  'version'?: (number | string | Long);
  'proxies'?: (_sockscale_admin_v1_ProxyStatus)[];
  /**
   * Replica identity (host:pid) that answered.
   */
  'replica'?: (string);
}

export interface ListProxiesResponse__Output {
  /**
   * Version this replica is currently serving.
   */
  'version': (number);
  'proxies': (_sockscale_admin_v1_ProxyStatus__Output)[];
  /**
   * Replica identity (host:pid) that answered.
   */
  'replica': (string);
}
