export * from './hold-off';
export * from './policy-publisher';
