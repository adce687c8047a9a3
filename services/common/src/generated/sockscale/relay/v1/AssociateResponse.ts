// Original file: proto/sockscale/relay/v1/relay.proto


export interface AssociateResponse {
}

export interface AssociateResponse__Output {
}
