export { ProxyServer, type SnapshotResult } from './proxy-server';
export { DEFAULT_PROXY_OPTIONS, type ProxyOptions } from './proxy-options';
export { ProxyMetrics } from './proxy-metrics';
