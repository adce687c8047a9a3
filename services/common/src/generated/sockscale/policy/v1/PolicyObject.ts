// Original file: proto/sockscale/policy/v1/object.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One policy object (SocksUser, SocksPolicy; later SocksQuota) in a typed envelope.
 * 
 * The spec travels as JSON text rather than as protobuf fields on purpose: the one schema in
 * services/common/src/policy (validateObject) stays the single validator for every carrier
 * (YAML file, CRD, snapshot), and a new spec field needs no proto change. Receivers rebuild
 * `{apiVersion, kind, metadata: {name, generation}, spec}` and validate it; a proxy NACKs a
 * snapshot holding an object it cannot validate or compile.
 */
export interface PolicyObject {
  /**
   * "sockscale.io/v1alpha1".
   */
  'apiVersion'?: (string);
  /**
   * "SocksUser" | "SocksPolicy" (| "SocksQuota" with the usage API).
   */
  'kind'?: (string);
  /**
   * metadata.name: DNS-label-like, unique per kind.
   */
  'name'?: (string);
  /**
   * Bumped on every change of the object (the etcd mod revision in a cluster).
   */
  'generation'?: (number | string | Long);
  /**
   * JSON of `spec`. Passwords are always hashes here (`password.hash`), never plain text.
   */
  'specJson'?: (string);
  /**
   * metadata.labels, for display and selection; not interpreted by the proxy.
   */
  'labels'?: ({[key: string]: string});
}

/**
 * One policy object (SocksUser, SocksPolicy; later SocksQuota) in a typed envelope.
 * 
 * The spec travels as JSON text rather than as protobuf fields on purpose: the one schema in
 * services/common/src/policy (validateObject) stays the single validator for every carrier
 * (YAML file, CRD, snapshot), and a new spec field needs no proto change. Receivers rebuild
 * `{apiVersion, kind, metadata: {name, generation}, spec}` and validate it; a proxy NACKs a
 * snapshot holding an object it cannot validate or compile.
 */
export interface PolicyObject__Output {
  /**
   * "sockscale.io/v1alpha1".
   */
  'apiVersion': (string);
  /**
   * "SocksUser" | "SocksPolicy" (| "SocksQuota" with the usage API).
   */
  'kind': (string);
  /**
   * metadata.name: DNS-label-like, unique per kind.
   */
  'name': (string);
  /**
   * Bumped on every change of the object (the etcd mod revision in a cluster).
   */
  'generation': (number);
  /**
   * JSON of `spec`. Passwords are always hashes here (`password.hash`), never plain text.
   */
  'specJson': (string);
  /**
   * metadata.labels, for display and selection; not interpreted by the proxy.
   */
  'labels': ({[key: string]: string});
}
