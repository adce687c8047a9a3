export * from './server';
export { compilePolicy, type CompiledPolicy, type Decision, type PolicyRequest } from './policy';
export * from './discovery';
export * from './relays';
export type { RelayPortMode, RelayPortOptions } from './udp';
export * from './quota';
