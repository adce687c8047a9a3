// Original file: proto/sockscale/relay/v1/relay.proto

import type { Relay as _sockscale_relay_v1_Relay, Relay__Output as _sockscale_relay_v1_Relay__Output } from '../../../sockscale/relay/v1/Relay';
import type { Association as _sockscale_relay_v1_Association, Association__Output as _sockscale_relay_v1_Association__Output } from '../../../sockscale/relay/v1/Association';

export interface RegistryEvent {
  /**
   * Set on the first message: the lists are the complete registry; forget everything else.
   */
  'reset'?: (boolean);
  'relays'?: (_sockscale_relay_v1_Relay)[];
  'associations'?: (_sockscale_relay_v1_Association)[];
  /**
   * Relay ids removed.
   */
  'removedRelays'?: (string)[];
  /**
   * Association keys ("owner/id") removed.
   */
  'removedAssociations'?: (string)[];
}

export interface RegistryEvent__Output {
  /**
   * Set on the first message: the lists are the complete registry; forget everything else.
   */
  'reset': (boolean);
  'relays': (_sockscale_relay_v1_Relay__Output)[];
  'associations': (_sockscale_relay_v1_Association__Output)[];
  /**
   * Relay ids removed.
   */
  'removedRelays': (string)[];
  /**
   * Association keys ("owner/id") removed.
   */
  'removedAssociations': (string)[];
}
