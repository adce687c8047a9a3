// Original file: proto/sockscale/admin/v1/admin.proto

import type { ObjectRef as _sockscale_admin_v1_ObjectRef, ObjectRef__Output as _sockscale_admin_v1_ObjectRef__Output } from '../../../sockscale/admin/v1/ObjectRef';

export interface DeleteRequest {
  'objects'?: (_sockscale_admin_v1_ObjectRef)[];
}

export interface DeleteRequest__Output {
  'objects': (_sockscale_admin_v1_ObjectRef__Output)[];
}
