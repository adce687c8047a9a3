/**
 * PLANNED METRICS: names the Grafana dashboard (charts/sockscale/files/grafana-dashboard.json)
 * queries although no service in this tree exports them yet. dashboard.test.ts fails on any
 * dashboard metric that is neither exported by a running service nor listed here, and on any
 * entry here that is exported already (then delete the entry). Keep this list short.
 */
export const PLANNED_METRICS: Readonly<Record<string, string>> = {
  // Quotas (issue 5).
  sockscale_quota_used_bytes: 'quota ledger: bytes used in the current period, labels subject, period (gauge)',
  sockscale_quota_limit_bytes: 'quota ledger: the limit for the period, labels subject, period (gauge)',
  sockscale_proxy_user_bytes_total: 'proxy: bytes relayed per user and direction, for "top users" (counter; user names are bounded by SocksUser objects)',
};

/** Series Prometheus adds itself, exported by no service. */
export const PROMETHEUS_BUILTIN = ['up'];
