export * from './ack-tracker';
export * from './admin-auth';
export * from './admin-service';
export * from './control-metrics';
export * from './discovery-service';
export * from './grpc-server';
export * from './health-service';
export * from './status-error';
