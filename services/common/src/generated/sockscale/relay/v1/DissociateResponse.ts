// Original file: proto/sockscale/relay/v1/relay.proto


export interface DissociateResponse {
}

export interface DissociateResponse__Output {
}
