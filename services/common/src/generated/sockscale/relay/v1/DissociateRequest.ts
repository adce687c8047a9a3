// Original file: proto/sockscale/relay/v1/relay.proto


export interface DissociateRequest {
  'leaseId'?: (string);
  'owner'?: (string);
  'id'?: (string);
}

export interface DissociateRequest__Output {
  'leaseId': (string);
  'owner': (string);
  'id': (string);
}
