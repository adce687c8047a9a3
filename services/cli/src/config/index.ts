export * from './serve-config';
export * from './parse-values';
