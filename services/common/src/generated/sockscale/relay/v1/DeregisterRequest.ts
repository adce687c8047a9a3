// Original file: proto/sockscale/relay/v1/relay.proto


export interface DeregisterRequest {
  'leaseId'?: (string);
}

export interface DeregisterRequest__Output {
  'leaseId': (string);
}
