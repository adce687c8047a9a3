export * from './sockscale-error';
