// Original file: proto/sockscale/policy/v1/discovery.proto


/**
 * Who is asking. `id` is unique per proxy process (pod name, or host:pid); the control plane
 * reports ACK state per id.
 */
export interface Node {
  'id'?: (string);
  /**
   * Free-form build/version string of the proxy.
   */
  'build'?: (string);
  /**
   * Labels such as zone or pod name, shown by the admin API; bounded, never used as metric labels.
   */
  'metadata'?: ({[key: string]: string});
}

/**
 * Who is asking. `id` is unique per proxy process (pod name, or host:pid); the control plane
 * reports ACK state per id.
 */
export interface Node__Output {
  'id': (string);
  /**
   * Free-form build/version string of the proxy.
   */
  'build': (string);
  /**
   * Labels such as zone or pod name, shown by the admin API; bounded, never used as metric labels.
   */
  'metadata': ({[key: string]: string});
}
