// Original file: proto/sockscale/policy/v1/discovery.proto

import type { Long } from '@grpc/proto-loader';

/**
 * The snapshot with this nonce was applied; the proxy now enforces `version`.
 */
export interface Ack {
  'nonce'?: (string);
  'version'?: (number | string | Long);
}

/**
 * The snapshot with this nonce was applied; the proxy now enforces `version`.
 */
export interface Ack__Output {
  'nonce': (string);
  'version': (number);
}
