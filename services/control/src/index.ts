export * from './store';
export * from './snapshot';
export * from './grpc';
export * from './control-plane';
export * from './quota';
