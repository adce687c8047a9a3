import { Registry, collectDefaultMetrics } from 'prom-client';

export { Registry, Counter, Gauge, Histogram } from 'prom-client';

/** Every metric name starts with this; units are base units (seconds, bytes). */
export const METRIC_PREFIX = 'sockscale_';

/** A registry with the process/runtime default metrics under the sockscale_ prefix. */
export function createMetricsRegistry(labels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}
