// Original file: proto/sockscale/relay/v1/relay.proto


export interface WatchRegistryRequest {
  /**
   * Identity of the watcher, for logs.
   */
  'nodeId'?: (string);
}

export interface WatchRegistryRequest__Output {
  /**
   * Identity of the watcher, for logs.
   */
  'nodeId': (string);
}
