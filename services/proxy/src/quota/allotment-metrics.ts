import { Gauge, type Registry } from '@sockscale/common';

/** What the gauges read at scrape time (QuotaManager.allotmentSnapshot). */
type AllotmentView = () => { key: string; bandwidthShare: number; throttleShare: number; slots: number; inUse: number }[];

/**
 * Proxy-side allotment gauges, summed per SocksQuota over its members on this proxy (labels:
 * quota names, operator-defined and bounded; never users). Read at scrape time.
 */
export function registerAllotmentMetrics(registry: Registry, view: AllotmentView): void {
  const registers = [registry];
  const perQuota = (pick: (a: ReturnType<AllotmentView>[number]) => number): Map<string, number> => {
    const out = new Map<string, number>();
    for (const a of view()) {
      const quota = a.key.slice(0, a.key.lastIndexOf('/'));
      out.set(quota, (out.get(quota) ?? 0) + pick(a));
    }
    return out;
  };
  new Gauge({
    name: 'sockscale_proxy_quota_bandwidth_share_bytes_per_second',
    help: "This proxy's share of SocksQuota cluster-wide rates, by quota and kind (bandwidth, throttle).",
    labelNames: ['quota', 'kind'],
    registers,
    collect() {
      this.reset();
      for (const [quota, v] of perQuota((a) => a.bandwidthShare)) if (v > 0) this.set({ quota, kind: 'bandwidth' }, v);
      for (const [quota, v] of perQuota((a) => a.throttleShare)) if (v > 0) this.set({ quota, kind: 'throttle' }, v);
    },
  });
  new Gauge({
    name: 'sockscale_proxy_quota_connection_slots',
    help: 'SocksQuota maxConnections slots on this proxy, by quota and state (held: granted by the control plane; in_use: open sessions).',
    labelNames: ['quota', 'state'],
    registers,
    collect() {
      this.reset();
      const held = perQuota((a) => a.slots);
      const used = perQuota((a) => a.inUse);
      for (const [quota, v] of held) {
        this.set({ quota, state: 'held' }, v);
        this.set({ quota, state: 'in_use' }, used.get(quota) ?? 0);
      }
    },
  });
}
