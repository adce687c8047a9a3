/**
 * PLANNED METRICS: names the Grafana dashboard (charts/sockscale/files/grafana-dashboard.json)
 * queries although no service in this tree exports them yet. dashboard.test.ts fails on any
 * dashboard metric that is neither exported by a running service nor listed here, and on any
 * entry here that is exported already (then delete the entry). Keep this list short (empty now:
 * every metric the dashboard queries is exported).
 */
export const PLANNED_METRICS: Readonly<Record<string, string>> = {};

/** Series Prometheus adds itself, exported by no service. */
export const PROMETHEUS_BUILTIN = ['up'];
