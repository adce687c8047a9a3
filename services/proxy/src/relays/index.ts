export * from './registry-types';
export { RegistryClient, type RegistryClientOptions } from './registry-client';
