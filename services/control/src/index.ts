export * from './store';
export * from './snapshot';
export * from './grpc';
export * from './control-plane';
export * from './relays';
export * from './k8s';
export * from './quota';
