export * from './admin-server';
