export * from './relay-types';
export * from './relay-keys';
export * from './relay-validate';
export * from './relay-service';
export { MemoryRelayStore } from './memory-relay-store';
export { EtcdRelayStore } from './etcd-relay-store';
