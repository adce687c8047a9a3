// Original file: proto/sockscale/relay/v1/relay.proto


export interface RegisterResponse {
  /**
   * Opaque lease id (an etcd lease id in decimal).
   */
  'leaseId'?: (string);
  'ttlSeconds'?: (number);
}

export interface RegisterResponse__Output {
  /**
   * Opaque lease id (an etcd lease id in decimal).
   */
  'leaseId': (string);
  'ttlSeconds': (number);
}
