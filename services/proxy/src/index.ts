export * from './server';
export { compilePolicy, type CompiledPolicy } from './policy';
export * from './discovery';
export * from './relays';
export type { RelayPortMode, RelayPortOptions } from './udp';
