// Original file: proto/sockscale/relay/v1/relay.proto


export interface ListRegistryRequest {
}

export interface ListRegistryRequest__Output {
}
