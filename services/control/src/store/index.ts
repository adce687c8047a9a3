export * from './file-policy-source';
