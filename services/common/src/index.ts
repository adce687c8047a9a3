export * from './errors';
export * from './net';
export * from './policy';
export * from './password';
export * from './log';
export * from './metrics';
export * from './admin';
export * from './grpc';
