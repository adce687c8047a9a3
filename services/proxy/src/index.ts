export * from './server';
export { compilePolicy, type CompiledPolicy, type Decision, type PolicyRequest } from './policy';
export * from './discovery';
export * from './quota';
