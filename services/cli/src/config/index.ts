export * from './serve-config';
export * from './parse-values';
export * from './settings-reader';
export * from './control-config';
export * from './client-config';
export * from './discovery-config';
export * from './udp-config';
