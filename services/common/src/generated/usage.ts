import type * as grpc from '@grpc/grpc-js';


type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  sockscale: {
    usage: {
      v1: {
      }
    }
  }
}

