import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { PolicyObject as _sockscale_policy_v1_PolicyObject, PolicyObject__Output as _sockscale_policy_v1_PolicyObject__Output } from './sockscale/policy/v1/PolicyObject';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  sockscale: {
    policy: {
      v1: {
        PolicyObject: MessageTypeDefinition<_sockscale_policy_v1_PolicyObject, _sockscale_policy_v1_PolicyObject__Output>
      }
    }
  }
}

