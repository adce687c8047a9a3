export * from './errors';
export * from './net';
export * from './policy';
