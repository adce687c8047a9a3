/**
 * Splitting a cluster-wide rate (bytes/s) among proxies by demand; pure, so it is tested
 * without processes.
 *
 * Demand of a proxy: while it uses at least 80 % of its share (`limited`: it would relay more
 * with more) it wants "as much as it can get" and weighs its active sessions; otherwise it
 * needs HEADROOM times what it relayed (room to grow, so a quieter proxy is never pinned at
 * its current rate). The split is max-min fair by weight (water-filling): proxies that need
 * less than their weighted part get what they need, the rest is divided among the others in
 * proportion to their active sessions. Every proxy with demand gets at least a floor
 * (FLOOR_FRACTION of the rate, at most half the rate over all proxies), so none starves, and the
 * shares add up to the rate (never more). Converges in one step when demand is steady.
 */
export interface ProxyDemand {
  id: string;
  /** Bytes/s relayed over the last interval. */
  rate: number;
  /** Sessions that relayed (or opened) in the last interval. */
  sessions: number;
  /** Used ≥ 80 % of its share. */
  limited: boolean;
}

export const FLOOR_FRACTION = 0.05;
export const HEADROOM = 1.5;

/** Shares (integer bytes/s, sum ≤ total) for the proxies with demand; proxies without demand get 0. */
export function splitRate(total: number, proxies: readonly ProxyDemand[]): Map<string, number> {
  const out = new Map<string, number>(proxies.map((p) => [p.id, 0]));
  const active = proxies.filter((p) => p.limited || p.rate > 0 || p.sessions > 0);
  if (active.length === 0 || total <= 0) return out;
  const floor = Math.min(total * FLOOR_FRACTION, total / (2 * active.length));
  const cap = (p: ProxyDemand): number => (p.limited ? Infinity : Math.max(floor, HEADROOM * p.rate));
  const weight = (p: ProxyDemand): number => Math.max(1, p.sessions);
  const share = new Map<string, number>();
  let open = [...active];
  let left = total;
  // Water-filling: fix every proxy whose weighted part exceeds its need, repeat.
  for (;;) {
    const w = open.reduce((s, p) => s + weight(p), 0);
    const fixed = open.filter((p) => (left * weight(p)) / w > cap(p));
    if (fixed.length === 0) {
      for (const p of open) share.set(p.id, (left * weight(p)) / w);
      left = 0;
      break;
    }
    for (const p of fixed) {
      share.set(p.id, cap(p));
      left -= cap(p);
    }
    open = open.filter((p) => !fixed.includes(p));
    if (open.length === 0) break;
  }
  // Everyone is satisfied: the rest is spread by weight too (room to grow; the sum stays the rate).
  if (left > 0) {
    const w = active.reduce((s, p) => s + weight(p), 0);
    for (const p of active) share.set(p.id, (share.get(p.id) ?? 0) + (left * weight(p)) / w);
  }
  // Floors, taken from those above the floor in proportion to what they hold above it.
  const below = active.filter((p) => (share.get(p.id) ?? 0) < floor);
  if (below.length > 0) {
    const deficit = below.reduce((s, p) => s + floor - (share.get(p.id) ?? 0), 0);
    const above = active.filter((p) => (share.get(p.id) ?? 0) > floor);
    const spare = above.reduce((s, p) => s + (share.get(p.id) ?? 0) - floor, 0);
    for (const p of below) share.set(p.id, floor);
    for (const p of above) {
      const v = share.get(p.id) ?? 0;
      share.set(p.id, v - (deficit * (v - floor)) / spare);
    }
  }
  for (const p of active) out.set(p.id, Math.floor(share.get(p.id) ?? 0));
  return out;
}
