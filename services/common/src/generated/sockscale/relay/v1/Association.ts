// Original file: proto/sockscale/relay/v1/relay.proto

import type { Endpoint as _sockscale_relay_v1_Endpoint, Endpoint__Output as _sockscale_relay_v1_Endpoint__Output } from '../../../sockscale/relay/v1/Endpoint';
import type { Long } from '@grpc/proto-loader';

/**
 * One UDP ASSOCIATE, recorded while its TCP session lives.
 */
export interface Association {
  /**
   * Unique within the owner: the owner's session id. The registry key is owner/id.
   */
  'id'?: (string);
  /**
   * Relay id of the proxy holding the TCP session.
   */
  'owner'?: (string);
  /**
   * Authenticated user name; empty for anonymous sessions.
   */
  'user'?: (string);
  /**
   * Client address as the owner saw it on the TCP session; port = the client's announced UDP
   * source port, 0 when the client did not announce one (learned from the first datagram).
   */
  'client'?: (_sockscale_relay_v1_Endpoint | null);
  /**
   * DST.ADDR:DST.PORT exactly as the client sent it in the request ("0.0.0.0:0" = none given).
   */
  'expected'?: (_sockscale_relay_v1_Endpoint | null);
  /**
   * Milliseconds since the epoch, when the owner accepted it.
   */
  'createdUnixMs'?: (number | string | Long);
}

/**
 * One UDP ASSOCIATE, recorded while its TCP session lives.
 */
export interface Association__Output {
  /**
   * Unique within the owner: the owner's session id. The registry key is owner/id.
   */
  'id': (string);
  /**
   * Relay id of the proxy holding the TCP session.
   */
  'owner': (string);
  /**
   * Authenticated user name; empty for anonymous sessions.
   */
  'user': (string);
  /**
   * Client address as the owner saw it on the TCP session; port = the client's announced UDP
   * source port, 0 when the client did not announce one (learned from the first datagram).
   */
  'client': (_sockscale_relay_v1_Endpoint__Output | null);
  /**
   * DST.ADDR:DST.PORT exactly as the client sent it in the request ("0.0.0.0:0" = none given).
   */
  'expected': (_sockscale_relay_v1_Endpoint__Output | null);
  /**
   * Milliseconds since the epoch, when the owner accepted it.
   */
  'createdUnixMs': (number);
}
