// Original file: proto/sockscale/usage/v1/usage.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { QuotaStatusRequest as _sockscale_usage_v1_QuotaStatusRequest, QuotaStatusRequest__Output as _sockscale_usage_v1_QuotaStatusRequest__Output } from '../../../sockscale/usage/v1/QuotaStatusRequest';
import type { QuotaStatusResponse as _sockscale_usage_v1_QuotaStatusResponse, QuotaStatusResponse__Output as _sockscale_usage_v1_QuotaStatusResponse__Output } from '../../../sockscale/usage/v1/QuotaStatusResponse';

/**
 * Quota state for administrators (`sockscale quota status`); needs the admin credential
 * (`authorization: Bearer <token>` or an admin client certificate), like PolicyAdmin.
 */
export interface QuotaAdminClient extends grpc.Client {
  Status(argument: _sockscale_usage_v1_QuotaStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_usage_v1_QuotaStatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _sockscale_usage_v1_QuotaStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_usage_v1_QuotaStatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _sockscale_usage_v1_QuotaStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_usage_v1_QuotaStatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _sockscale_usage_v1_QuotaStatusRequest, callback: grpc.requestCallback<_sockscale_usage_v1_QuotaStatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _sockscale_usage_v1_QuotaStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_usage_v1_QuotaStatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _sockscale_usage_v1_QuotaStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sockscale_usage_v1_QuotaStatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _sockscale_usage_v1_QuotaStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sockscale_usage_v1_QuotaStatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _sockscale_usage_v1_QuotaStatusRequest, callback: grpc.requestCallback<_sockscale_usage_v1_QuotaStatusResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * Quota state for administrators (`sockscale quota status`); needs the admin credential
 * (`authorization: Bearer <token>` or an admin client certificate), like PolicyAdmin.
 */
export interface QuotaAdminHandlers extends grpc.UntypedServiceImplementation {
  Status: grpc.handleUnaryCall<_sockscale_usage_v1_QuotaStatusRequest__Output, _sockscale_usage_v1_QuotaStatusResponse>;
  
}

export interface QuotaAdminDefinition extends grpc.ServiceDefinition {
  Status: MethodDefinition<_sockscale_usage_v1_QuotaStatusRequest, _sockscale_usage_v1_QuotaStatusResponse, _sockscale_usage_v1_QuotaStatusRequest__Output, _sockscale_usage_v1_QuotaStatusResponse__Output>
}
