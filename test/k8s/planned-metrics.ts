/**
 * PLANNED METRICS: names the Grafana dashboard (charts/sockscale/files/grafana-dashboard.json)
 * queries although no service in this tree exports them yet. dashboard.test.ts fails on any
 * dashboard metric that is neither exported by a running service nor listed here, and on any
 * entry here that is exported already (then delete the entry). Keep this list short.
 */
export const PLANNED_METRICS: Readonly<Record<string, string>> = {
  // Control plane (issue 4; names as on the wip/control branch, not merged here yet).
  sockscale_control_snapshot_version: 'control plane: version (etcd revision) of the served snapshot (gauge)',
  sockscale_control_propagation_seconds: 'control plane: snapshot built -> proxy ACK (histogram)',
  sockscale_control_proxies: 'control plane: connected proxies by state current|pending|nacked (gauge)',
  sockscale_control_snapshot_responses_total: 'control plane: proxy ACK/NACK answers by result (counter)',
  sockscale_control_store_up: 'control plane: 1 while etcd answers (gauge)',
  sockscale_control_watchers: 'control plane: open policy Watch streams (gauge)',
  // Quotas (issue 5).
  sockscale_quota_used_bytes: 'quota ledger: bytes used in the current period, labels subject, period (gauge)',
  sockscale_quota_limit_bytes: 'quota ledger: the limit for the period, labels subject, period (gauge)',
  sockscale_proxy_user_bytes_total: 'proxy: bytes relayed per user and direction, for "top users" (counter; user names are bounded by SocksUser objects)',
};

/** Series Prometheus adds itself, exported by no service. */
export const PROMETHEUS_BUILTIN = ['up'];
