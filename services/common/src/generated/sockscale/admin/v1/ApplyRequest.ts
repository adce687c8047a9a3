// Original file: proto/sockscale/admin/v1/admin.proto


export interface ApplyRequest {
  /**
   * Each entry is one whole object as JSON (`{apiVersion, kind, metadata, spec}`), as the
   * user wrote it in YAML. Validated by the same schema as policy files. A plain-text
   * `password.value` is hashed (scrypt) before it is stored; the store and proxies only ever
   * see hashes.
   */
  'objectsJson'?: (string)[];
  /**
   * Labels for error messages, parallel to objects_json (e.g. "file.yaml document 2").
   */
  'sources'?: (string)[];
  /**
   * Validate only; store nothing.
   */
  'dryRun'?: (boolean);
}

export interface ApplyRequest__Output {
  /**
   * Each entry is one whole object as JSON (`{apiVersion, kind, metadata, spec}`), as the
   * user wrote it in YAML. Validated by the same schema as policy files. A plain-text
   * `password.value` is hashed (scrypt) before it is stored; the store and proxies only ever
   * see hashes.
   */
  'objectsJson': (string)[];
  /**
   * Labels for error messages, parallel to objects_json (e.g. "file.yaml document 2").
   */
  'sources': (string)[];
  /**
   * Validate only; store nothing.
   */
  'dryRun': (boolean);
}
