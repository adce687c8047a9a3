// Original file: proto/sockscale/admin/v1/admin.proto


export interface ObjectRef {
  'kind'?: (string);
  'name'?: (string);
}

export interface ObjectRef__Output {
  'kind': (string);
  'name': (string);
}
