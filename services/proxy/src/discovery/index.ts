export { DiscoveryClient, type DiscoveryClientOptions, type DiscoveryEvents } from './discovery-client';
export { acceptSnapshot, type AcceptLimits } from './accept-snapshot';
export { Backoff } from './backoff';
