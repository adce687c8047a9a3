// Original file: proto/sockscale/policy/v1/discovery.proto

import type { Long } from '@grpc/proto-loader';

/**
 * The snapshot with this nonce was rejected; the proxy still enforces `applied_version`.
 */
export interface Nack {
  'nonce'?: (string);
  /**
   * Version of the rejected snapshot.
   */
  'version'?: (number | string | Long);
  /**
   * Version still in force on the proxy (0 = none).
   */
  'appliedVersion'?: (number | string | Long);
  /**
   * Why, for people: the validation or compile error.
   */
  'error'?: (string);
}

/**
 * The snapshot with this nonce was rejected; the proxy still enforces `applied_version`.
 */
export interface Nack__Output {
  'nonce': (string);
  /**
   * Version of the rejected snapshot.
   */
  'version': (number);
  /**
   * Version still in force on the proxy (0 = none).
   */
  'appliedVersion': (number);
  /**
   * Why, for people: the validation or compile error.
   */
  'error': (string);
}
