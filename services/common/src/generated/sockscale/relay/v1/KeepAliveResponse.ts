// Original file: proto/sockscale/relay/v1/relay.proto


export interface KeepAliveResponse {
  'ttlSeconds'?: (number);
}

export interface KeepAliveResponse__Output {
  'ttlSeconds': (number);
}
