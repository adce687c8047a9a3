// Original file: proto/sockscale/relay/v1/relay.proto

import type { Endpoint as _sockscale_relay_v1_Endpoint, Endpoint__Output as _sockscale_relay_v1_Endpoint__Output } from '../../../sockscale/relay/v1/Endpoint';

/**
 * One proxy's relay endpoints.
 */
export interface Relay {
  /**
   * The proxy's node id (same as sockscale.policy.v1.Node.id): [A-Za-z0-9._:-], 1-253 chars.
   */
  'id'?: (string);
  /**
   * "per-pod" or "shared".
   */
  'mode'?: (string);
  /**
   * Where clients send datagrams (named in UDP ASSOCIATE replies). At least one.
   */
  'advertised'?: (_sockscale_relay_v1_Endpoint)[];
  /**
   * Where the relay port listens inside the cluster (pod IP and port).
   */
  'internal'?: (_sockscale_relay_v1_Endpoint | null);
}

/**
 * One proxy's relay endpoints.
 */
export interface Relay__Output {
  /**
   * The proxy's node id (same as sockscale.policy.v1.Node.id): [A-Za-z0-9._:-], 1-253 chars.
   */
  'id': (string);
  /**
   * "per-pod" or "shared".
   */
  'mode': (string);
  /**
   * Where clients send datagrams (named in UDP ASSOCIATE replies). At least one.
   */
  'advertised': (_sockscale_relay_v1_Endpoint__Output)[];
  /**
   * Where the relay port listens inside the cluster (pod IP and port).
   */
  'internal': (_sockscale_relay_v1_Endpoint__Output | null);
}
