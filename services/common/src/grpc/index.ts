export * from './proto-loader';
export * from './policy-envelope';
export type * from './generated-types';
