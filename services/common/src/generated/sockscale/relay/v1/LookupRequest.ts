// Original file: proto/sockscale/relay/v1/relay.proto


export interface LookupRequest {
  'clientHost'?: (string);
}

export interface LookupRequest__Output {
  'clientHost': (string);
}
