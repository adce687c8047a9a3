export * from './server';
export { compilePolicy, type CompiledPolicy } from './policy';
export * from './discovery';
