// Original file: proto/sockscale/usage/v1/usage.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One account's demand on one proxy. Entries are per proxy_id and expire after the grant TTL
 * without a report (a dead proxy's bandwidth share and connection slots return to the pool).
 */
export interface AllotmentReport {
  'quota'?: (string);
  /**
   * User name, or "*" for a group quota with scope Shared.
   */
  'member'?: (string);
  /**
   * Bytes/s this proxy relayed for the account over the last interval.
   */
  'rate'?: (number | string | Long);
  /**
   * Sessions that relayed bytes in the last interval (the demand weight while limited).
   */
  'activeSessions'?: (number | string | Long);
  /**
   * The proxy used at least 80 % of its share: it would relay more with a larger share.
   */
  'limited'?: (boolean);
  /**
   * Sessions of the account open on this proxy (each holds a connection slot).
   */
  'connectionsInUse'?: (number | string | Long);
  /**
   * Slots wanted: in use plus sessions waiting for a slot.
   */
  'connectionsWant'?: (number | string | Long);
  /**
   * Final report (drain, or the account went idle): the entry and its slots are released.
   */
  'release'?: (boolean);
}

/**
 * One account's demand on one proxy. Entries are per proxy_id and expire after the grant TTL
 * without a report (a dead proxy's bandwidth share and connection slots return to the pool).
 */
export interface AllotmentReport__Output {
  'quota': (string);
  /**
   * User name, or "*" for a group quota with scope Shared.
   */
  'member': (string);
  /**
   * Bytes/s this proxy relayed for the account over the last interval.
   */
  'rate': (number);
  /**
   * Sessions that relayed bytes in the last interval (the demand weight while limited).
   */
  'activeSessions': (number);
  /**
   * The proxy used at least 80 % of its share: it would relay more with a larger share.
   */
  'limited': (boolean);
  /**
   * Sessions of the account open on this proxy (each holds a connection slot).
   */
  'connectionsInUse': (number);
  /**
   * Slots wanted: in use plus sessions waiting for a slot.
   */
  'connectionsWant': (number);
  /**
   * Final report (drain, or the account went idle): the entry and its slots are released.
   */
  'release': (boolean);
}
