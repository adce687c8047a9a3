import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AccountGrant as _sockscale_usage_v1_AccountGrant, AccountGrant__Output as _sockscale_usage_v1_AccountGrant__Output } from './sockscale/usage/v1/AccountGrant';
import type { AccountReport as _sockscale_usage_v1_AccountReport, AccountReport__Output as _sockscale_usage_v1_AccountReport__Output } from './sockscale/usage/v1/AccountReport';
import type { AccountStatus as _sockscale_usage_v1_AccountStatus, AccountStatus__Output as _sockscale_usage_v1_AccountStatus__Output } from './sockscale/usage/v1/AccountStatus';
import type { AllotmentGrant as _sockscale_usage_v1_AllotmentGrant, AllotmentGrant__Output as _sockscale_usage_v1_AllotmentGrant__Output } from './sockscale/usage/v1/AllotmentGrant';
import type { AllotmentReport as _sockscale_usage_v1_AllotmentReport, AllotmentReport__Output as _sockscale_usage_v1_AllotmentReport__Output } from './sockscale/usage/v1/AllotmentReport';
import type { QuotaAdminClient as _sockscale_usage_v1_QuotaAdminClient, QuotaAdminDefinition as _sockscale_usage_v1_QuotaAdminDefinition } from './sockscale/usage/v1/QuotaAdmin';
import type { QuotaStatusRequest as _sockscale_usage_v1_QuotaStatusRequest, QuotaStatusRequest__Output as _sockscale_usage_v1_QuotaStatusRequest__Output } from './sockscale/usage/v1/QuotaStatusRequest';
import type { QuotaStatusResponse as _sockscale_usage_v1_QuotaStatusResponse, QuotaStatusResponse__Output as _sockscale_usage_v1_QuotaStatusResponse__Output } from './sockscale/usage/v1/QuotaStatusResponse';
import type { SyncRequest as _sockscale_usage_v1_SyncRequest, SyncRequest__Output as _sockscale_usage_v1_SyncRequest__Output } from './sockscale/usage/v1/SyncRequest';
import type { SyncResponse as _sockscale_usage_v1_SyncResponse, SyncResponse__Output as _sockscale_usage_v1_SyncResponse__Output } from './sockscale/usage/v1/SyncResponse';
import type { UsageServiceClient as _sockscale_usage_v1_UsageServiceClient, UsageServiceDefinition as _sockscale_usage_v1_UsageServiceDefinition } from './sockscale/usage/v1/UsageService';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  sockscale: {
    usage: {
      v1: {
        AccountGrant: MessageTypeDefinition<_sockscale_usage_v1_AccountGrant, _sockscale_usage_v1_AccountGrant__Output>
        AccountReport: MessageTypeDefinition<_sockscale_usage_v1_AccountReport, _sockscale_usage_v1_AccountReport__Output>
        AccountStatus: MessageTypeDefinition<_sockscale_usage_v1_AccountStatus, _sockscale_usage_v1_AccountStatus__Output>
        AllotmentGrant: MessageTypeDefinition<_sockscale_usage_v1_AllotmentGrant, _sockscale_usage_v1_AllotmentGrant__Output>
        AllotmentReport: MessageTypeDefinition<_sockscale_usage_v1_AllotmentReport, _sockscale_usage_v1_AllotmentReport__Output>
        /**
         * Quota state for administrators (`sockscale quota status`); needs the admin credential
         * (`authorization: Bearer <token>` or an admin client certificate), like PolicyAdmin.
         */
        QuotaAdmin: SubtypeConstructor<typeof grpc.Client, _sockscale_usage_v1_QuotaAdminClient> & { service: _sockscale_usage_v1_QuotaAdminDefinition }
        QuotaStatusRequest: MessageTypeDefinition<_sockscale_usage_v1_QuotaStatusRequest, _sockscale_usage_v1_QuotaStatusRequest__Output>
        QuotaStatusResponse: MessageTypeDefinition<_sockscale_usage_v1_QuotaStatusResponse, _sockscale_usage_v1_QuotaStatusResponse__Output>
        SyncRequest: MessageTypeDefinition<_sockscale_usage_v1_SyncRequest, _sockscale_usage_v1_SyncRequest__Output>
        SyncResponse: MessageTypeDefinition<_sockscale_usage_v1_SyncResponse, _sockscale_usage_v1_SyncResponse__Output>
        /**
         * One bidirectional stream per proxy process. The proxy sends a SyncRequest about once a
         * second (sooner when a grant runs low, and a final one with release=true on drain); the
         * server answers every SyncRequest with exactly one SyncResponse carrying the same
         * request_id. Every number is cumulative per lease, so a retried or duplicated request is
         * harmless: the ledger applies a report only when its seq is above the last applied one.
         */
        UsageService: SubtypeConstructor<typeof grpc.Client, _sockscale_usage_v1_UsageServiceClient> & { service: _sockscale_usage_v1_UsageServiceDefinition }
      }
    }
  }
}

