// Original file: proto/sockscale/admin/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface ProxyStatus {
  'id'?: (string);
  'build'?: (string);
  'metadata'?: ({[key: string]: string});
  /**
   * Peer address of the stream.
   */
  'peer'?: (string);
  'connected'?: (boolean);
  /**
   * Last version the proxy ACKed (0 = none).
   */
  'ackedVersion'?: (number | string | Long);
  /**
   * Last version it NACKed and why (0 / "" when the latest push was accepted).
   */
  'nackedVersion'?: (number | string | Long);
  'nackError'?: (string);
  /**
   * Version last sent to it.
   */
  'sentVersion'?: (number | string | Long);
  /**
   * Unix milliseconds of the last ACK/NACK.
   */
  'lastSeenMs'?: (number | string | Long);
  /**
   * Control-plane replica (host:pid) holding the proxy's stream; records of every replica are
   * listed, whichever replica answers.
   */
  'replica'?: (string);
}

export interface ProxyStatus__Output {
  'id': (string);
  'build': (string);
  'metadata': ({[key: string]: string});
  /**
   * Peer address of the stream.
   */
  'peer': (string);
  'connected': (boolean);
  /**
   * Last version the proxy ACKed (0 = none).
   */
  'ackedVersion': (number);
  /**
   * Last version it NACKed and why (0 / "" when the latest push was accepted).
   */
  'nackedVersion': (number);
  'nackError': (string);
  /**
   * Version last sent to it.
   */
  'sentVersion': (number);
  /**
   * Unix milliseconds of the last ACK/NACK.
   */
  'lastSeenMs': (number);
  /**
   * Control-plane replica (host:pid) holding the proxy's stream; records of every replica are
   * listed, whichever replica answers.
   */
  'replica': (string);
}
