export * from './scrypt-hash';
