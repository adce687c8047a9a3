// Original file: proto/sockscale/relay/v1/relay.proto


export interface DeregisterResponse {
}

export interface DeregisterResponse__Output {
}
