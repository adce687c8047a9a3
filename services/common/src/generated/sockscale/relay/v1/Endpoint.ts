// Original file: proto/sockscale/relay/v1/relay.proto


export interface Endpoint {
  /**
   * IP address or host name.
   */
  'host'?: (string);
  'port'?: (number);
}

export interface Endpoint__Output {
  /**
   * IP address or host name.
   */
  'host': (string);
  'port': (number);
}
