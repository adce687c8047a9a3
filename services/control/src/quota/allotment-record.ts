/**
 * Cluster-wide bandwidth and connection allotment of one account (a SocksQuota and a member),
 * and the pure function that applies one proxy's report to it. One record per account (not per
 * period), read and written in one compare-and-swap like the byte ledger:
 *
 * - One entry per proxy (proxy id), with its last demand (rate, active sessions, limited), its
 *   shares, and its connection slots; an entry not renewed for the TTL expires, so a dead
 *   proxy's share and slots return to the pool (checked on every update; no sweep needed).
 * - Bandwidth: the target shares of every live proxy are recomputed (splitRate) when the last
 *   split is older than REBALANCE_MS or the set of proxies changed, and stored; each proxy
 *   receives its share on its next report (about once a second). Decreases apply at once, an
 *   increase only within what the other proxies are enforcing now (`applied`): the shares the
 *   proxies enforce never add up to more than the rate, even while a re-split propagates (an
 *   increase waits up to one report interval for the others' decreases). The Throttle rate at
 *   exhaustion is split with the same fractions.
 * - Connections: a proxy holds `slots` ≤ what it asked for (in use + waiting); Σ slots over live
 *   proxies never exceeds maxConnections through grants. Slots a proxy no longer needs go back
 *   with its next report. A proxy that reports more sessions in use than it holds (it kept
 *   them across a control-plane outage longer than the TTL) is recorded at that number, so
 *   nothing more is granted until they close.
 */
import { splitRate } from './allotment-split';

export interface AllotEntry {
  rate: number;
  sessions: number;
  limited: boolean;
  inUse: number;
  slots: number;
  /** Target fraction of the rate (0-1) from the last split. */
  fraction: number;
  /** Fraction last sent to the proxy (what it enforces now). Σ applied ≤ 1 at all times. */
  applied?: number;
  /** Control-plane clock, epoch ms. */
  expiresAt: number;
}

export interface AllotmentRecord {
  proxies: Record<string, AllotEntry>;
  /** When shares were last recomputed (epoch ms). */
  balancedAt: number;
}

export interface AllotmentReportItem {
  rate: number;
  sessions: number;
  limited: boolean;
  inUse: number;
  want: number;
  release: boolean;
}

export interface AllotmentLimits {
  bandwidth?: number;
  throttleRate?: number;
  maxConnections?: number;
}

export interface AllotmentOutcome {
  bandwidthShare: number;
  throttleShare: number;
  connections: number;
  changed: boolean;
}

/** Shares are recomputed at most this often (unless proxies come or go). */
export const REBALANCE_MS = 1000;

export function newAllotmentRecord(): AllotmentRecord {
  return { proxies: {}, balancedAt: 0 };
}

export function applyAllotment(r: AllotmentRecord, proxyId: string, item: AllotmentReportItem, limits: AllotmentLimits, opts: { now: number; ttlMs: number }): AllotmentOutcome {
  let membership = false;
  for (const [id, e] of Object.entries(r.proxies)) {
    if (e.expiresAt <= opts.now) {
      delete r.proxies[id];
      membership = true;
    }
  }
  if (item.release) {
    if (r.proxies[proxyId] !== undefined) {
      delete r.proxies[proxyId];
      membership = true;
    }
    if (membership) r.balancedAt = 0;
    return { bandwidthShare: 0, throttleShare: 0, connections: 0, changed: true };
  }
  let e = r.proxies[proxyId];
  if (e === undefined) {
    e = { rate: 0, sessions: 0, limited: false, inUse: 0, slots: 0, fraction: 0, expiresAt: 0 };
    r.proxies[proxyId] = e;
    membership = true;
  }
  Object.assign(e, { rate: item.rate, sessions: item.sessions, limited: item.limited, inUse: item.inUse, expiresAt: opts.now + opts.ttlMs });
  if (limits.maxConnections !== undefined) {
    let others = 0;
    for (const [id, o] of Object.entries(r.proxies)) if (id !== proxyId) others += o.slots;
    e.slots = Math.max(item.inUse, Math.min(item.want, Math.max(0, limits.maxConnections - others)));
  } else {
    e.slots = 0;
  }
  const rate = limits.bandwidth ?? limits.throttleRate;
  const needsShare = e.fraction === 0 && (item.sessions > 0 || item.rate > 0 || item.limited);
  if (rate !== undefined && (membership || needsShare || opts.now - r.balancedAt >= REBALANCE_MS)) {
    const shares = splitRate(rate, Object.entries(r.proxies).map(([id, o]) => ({ id, rate: o.rate, sessions: o.sessions, limited: o.limited })));
    for (const [id, o] of Object.entries(r.proxies)) o.fraction = (shares.get(id) ?? 0) / rate;
    r.balancedAt = opts.now;
  }
  let others = 0;
  for (const [id, o] of Object.entries(r.proxies)) if (id !== proxyId) others += o.applied ?? 0;
  e.applied = Math.max(0, Math.min(e.fraction, 1 - others));
  return {
    bandwidthShare: limits.bandwidth === undefined ? 0 : Math.floor(e.applied * limits.bandwidth),
    throttleShare: limits.throttleRate === undefined ? 0 : Math.floor(e.applied * limits.throttleRate),
    connections: e.slots,
    changed: true,
  };
}

/** Connection slots held by live proxies (status). */
export function slotsHeld(r: AllotmentRecord, now: number): number {
  let n = 0;
  for (const e of Object.values(r.proxies)) if (e.expiresAt > now) n += e.slots;
  return n;
}
