// Original file: proto/sockscale/relay/v1/relay.proto


export interface KeepAliveRequest {
  'leaseId'?: (string);
}

export interface KeepAliveRequest__Output {
  'leaseId': (string);
}
