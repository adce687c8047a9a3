export * from './store-types';
export * from './file-policy-source';
export * from './file-store-sync';
export * from './store-errors';
export * from './key-layout';
export { MemoryStore } from './memory-store';
export { EtcdStore, type EtcdStoreOptions } from './etcd-store';
export { storedForm } from './stored-form';
