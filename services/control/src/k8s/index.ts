export * from './conditions';
export * from './crd-controller';
export * from './kube-client';
export * from './kube-controller';
export * from './lease-elector';
export * from './quota-status';
