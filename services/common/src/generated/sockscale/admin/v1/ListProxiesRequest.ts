// Original file: proto/sockscale/admin/v1/admin.proto


export interface ListProxiesRequest {
}

export interface ListProxiesRequest__Output {
}
