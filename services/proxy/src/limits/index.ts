export { TokenBucket, DEFAULT_BURST_SECONDS } from './token-bucket';
export { DirectionGate, type SessionGates } from './session-gate';
export { LimitRegistry, type SessionLimits } from './limit-registry';
