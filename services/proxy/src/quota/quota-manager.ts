/**
 * The proxy's quota accounts and their sync with the ledger.
 *
 * - Accounts come from the policy snapshot's SocksQuota objects: a session of user U is charged
 *   to every quota naming U, or a group of U (PerMember: account U; Shared: account "*").
 * - Once a second (and at once when an account runs low) one SyncRequest reports every lease
 *   (cumulative bytes, next seq) and asks for a few seconds of demand; the response sets each
 *   lease's granted total and its lapse time (send time + ttl).
 * - Offline: when no response came for OFFLINE_AFTER_MS and a lease has lapsed, an account may
 *   spend its quota's `offlineAllowance` (per subject, per proxy, per outage) and no more; those
 *   bytes are reported on the next lease once the control plane answers.
 * - Exhausted: an account the ledger calls exhausted that cannot reserve a chunk for
 *   BLOCK_GRACE_MS blocks (Block: sessions closed, new ones refused with 0x02) or throttles
 *   (Throttle: a token bucket at `rate` on this proxy, bytes still reported).
 * - Drain: every lease sends a final report (unspent grant returned).
 * - Allotments (allotment-account.ts): quotas with `bandwidth`, `maxConnections` or a
 *   `Throttle` action have a cluster-wide allotment per account: demand reported about once a
 *   second in the same SyncRequest, shares and connection slots applied from the answer. The
 *   Throttle bucket runs at this proxy's share of the throttle rate.
 */
import type { Logger, PolicySnapshot, Registry, SocksQuota, SyncRequest, AccountReport, AllotmentReport, SyncResponse__Output } from '@sockscale/common';
import { TokenBucket } from '../limits';
import type { ByteGate } from '../relay/byte-gate';
import { BLOCK_GRACE_MS, CHUNK_BYTES, IDLE_RELEASE_MS, MIN_WANT, QuotaAccount, type Lease, type ReservationHolder } from './quota-account';
import type { UsageTransport } from './usage-transport';
import { AllotmentAccount, INITIAL_SHARE_FRACTION, type AllotHolder } from './allotment-account';
import { registerAllotmentMetrics } from './allotment-metrics';

export const SYNC_INTERVAL_MS = 1000;
export const OFFLINE_AFTER_MS = 3000;
/** How often a paused session asks again while waiting for a grant. */
export const GRANT_WAIT_POLL_MS = 20;
/** Spacing of syncs triggered by low grants (limits ledger contention: one etcd key per account). */
export const MIN_SYNC_GAP_MS = 25;
const SHARED_MEMBER = '*';

export interface QuotaManagerOptions {
  proxyId: string;
  transport: UsageTransport;
  log: Logger;
  now?: () => number;
  intervalMs?: number;
  /** Registers the allotment gauges (sockscale_proxy_quota_*) here. */
  registry?: Registry;
}

/** What one request reported: a lease (`release`: its final report) or a probe. */
type Sent = { acc: QuotaAccount; lease: Lease; release: boolean; probe?: undefined } | { acc: QuotaAccount; probe: string; lease?: undefined };

/** A session's connection slots (SocksQuota maxConnections), released when it closes. */
export interface QuotaConnectionHold {
  release(): void;
}

/** Whether a quota has a cluster-wide allotment (bandwidth, connection slots, or a Throttle rate to split). */
function allots(q: SocksQuota): boolean {
  return q.spec.bandwidth !== undefined || q.spec.maxConnections !== undefined || (q.spec.bytes !== undefined && q.spec.onExhausted.action === 'Throttle');
}

export interface QuotaSessionHold {
  gates?: { up?: ByteGate; down?: ByteGate };
  release(): void;
}

export class QuotaManager {
  private readonly accounts = new Map<string, QuotaAccount>();
  private readonly allotments = new Map<string, AllotmentAccount>();
  /** Allotment accounts that went idle or lost their quota: one release report each. */
  private allotReleases: AllotmentAccount[] = [];
  private quotas: SocksQuota[] = [];
  private allQuotas: SocksQuota[] = [];
  private groupsOf = new Map<string, readonly string[]>();
  private readonly now: () => number;
  private leaseCounter = 0;
  private requestId = 0;
  private inFlight = false;
  private again = false;
  private lastOkAt: number;
  private lastTick: number;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  readonly stats = { syncs: 0, failures: 0, blockedSessions: 0 };

  constructor(private readonly opts: QuotaManagerOptions) {
    this.now = opts.now ?? (() => performance.now());
    this.lastOkAt = this.now();
    this.lastTick = this.now();
    if (opts.registry !== undefined) registerAllotmentMetrics(opts.registry, () => this.allotmentSnapshot());
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.opts.intervalMs ?? SYNC_INTERVAL_MS);
    this.timer.unref();
  }

  /** New policy: quota objects and user groups. Accounts of removed quotas are released. */
  applySnapshot(s: PolicySnapshot): void {
    this.allQuotas = s.quotas ?? [];
    this.quotas = this.allQuotas.filter((q) => q.spec.bytes !== undefined);
    this.groupsOf = new Map(s.users.map((u) => [u.metadata.name, u.spec.groups]));
    const allotting = new Map(this.allQuotas.filter(allots).map((q) => [q.metadata.name, q]));
    for (const [key, a] of this.allotments) {
      const q = allotting.get(a.quota.metadata.name);
      if (q === undefined) {
        this.allotments.delete(key);
        this.allotReleases.push(a);
      } else if (q !== a.quota) {
        a.setQuota(q);
      }
    }
    const names = new Map(this.quotas.map((q) => [q.metadata.name, q]));
    for (const [key, acc] of this.accounts) {
      const q = names.get(acc.quota.metadata.name);
      if (q === undefined) {
        acc.closeCurrent();
        if (acc.holders.size === 0 && acc.closing.length === 0) this.accounts.delete(key);
      } else if (q !== acc.quota) {
        // Changed quota: keep the lease; limits and actions apply from the next grant.
        Object.assign(acc, { quota: q });
      }
    }
  }

  /** The SocksQuota objects in force (embedded mode feeds them to its in-process ledger). */
  get quotaObjects(): readonly SocksQuota[] {
    return this.allQuotas;
  }

  get online(): boolean {
    return this.now() - this.lastOkAt < OFFLINE_AFTER_MS;
  }

  /** Accounts a session of `user` is charged to (none for anonymous sessions). */
  accountsFor(user: string | null): QuotaAccount[] {
    if (user === null || this.quotas.length === 0) return [];
    const groups = this.groupsOf.get(user) ?? [];
    const out: QuotaAccount[] = [];
    for (const q of this.quotas) {
      const member = memberOf(q, user, groups);
      if (member === undefined) continue;
      const key = `${q.metadata.name}/${member}`;
      let acc = this.accounts.get(key);
      if (acc === undefined) {
        acc = new QuotaAccount(q, member, this.now, () => `${this.opts.proxyId}#${++this.leaseCounter}`);
        this.accounts.set(key, acc);
      }
      out.push(acc);
    }
    return out;
  }

  /** Allotment accounts (bandwidth, connection slots, Throttle split) a session of `user` belongs to. */
  allotmentsFor(user: string | null): AllotmentAccount[] {
    if (user === null || this.allQuotas.length === 0) return [];
    const groups = this.groupsOf.get(user) ?? [];
    const out: AllotmentAccount[] = [];
    for (const q of this.allQuotas) {
      if (!allots(q)) continue;
      const member = memberOf(q, user, groups);
      if (member === undefined) continue;
      const key = `${q.metadata.name}/${member}`;
      let a = this.allotments.get(key);
      if (a === undefined) {
        a = new AllotmentAccount(q, member, this.now);
        this.allotments.set(key, a);
        this.poke();
      }
      out.push(a);
    }
    return out;
  }

  /**
   * Connection slots for a new session (SocksQuota maxConnections, cluster-wide): resolves at
   * once when this proxy holds a free slot for every such quota of `user`, otherwise after
   * asking the control plane (at most SLOT_WAIT_MS); `{ rejected }` when a slot could not be
   * had (the caller replies 0x02). Release the hold when the session ends.
   */
  async acquireConnection(user: string | null): Promise<QuotaConnectionHold | { rejected: string }> {
    const limited = this.allotmentsFor(user).filter((a) => a.limitsConnections);
    if (limited.length === 0) return { release: () => undefined };
    const got: AllotmentAccount[] = [];
    const giveBack = (): void => {
      for (const a of got) a.returnSlot();
      if (got.length > 0) this.poke();
    };
    for (const a of limited) {
      if (!(await a.takeSlot(() => this.poke()))) {
        giveBack();
        return { rejected: `quota ${a.quota.metadata.name}: ${a.quota.spec.maxConnections ?? 0} connections in use cluster-wide (maxConnections)` };
      }
      got.push(a);
    }
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        giveBack();
      },
    };
  }

  /**
   * Admission and gates for a new session: `{ rejected }` when an account is blocked (Block at
   * exhaustion; the caller replies 0x02). `onBlock` closes the session if it blocks later.
   */
  hold(user: string | null, onBlock: () => void): QuotaSessionHold | { rejected: string } {
    const accounts = this.accountsFor(user);
    const allotted = this.allotmentsFor(user).map((a) => ({ a, h: a.open() }));
    if (allotted.some(({ a }) => a.dueAt === 0)) this.poke();
    const closeAllotted = (): void => {
      for (const { a, h } of allotted) a.close(h);
    };
    if (accounts.length === 0 && allotted.length === 0) return { release: () => undefined };
    const blocked = accounts.find((a) => a.blocked);
    if (blocked !== undefined) {
      closeAllotted();
      return { rejected: `quota ${blocked.quota.metadata.name} is used up for this period (onExhausted: Block)` };
    }
    const up: { acc: QuotaAccount; holder: ReservationHolder }[] = [];
    const down: { acc: QuotaAccount; holder: ReservationHolder }[] = [];
    let closed = false;
    const block = (): void => {
      if (closed) return;
      closed = true;
      this.stats.blockedSessions++;
      onBlock();
    };
    for (const acc of accounts) {
      for (const [dir, list] of [['up', up], ['down', down]] as const) {
        if (!acc.counts[dir]) continue;
        const holder: ReservationHolder = { reserved: 0, block };
        acc.holders.add(holder);
        acc.reserve(holder);
        list.push({ acc, holder });
      }
    }
    const gates: { up?: ByteGate; down?: ByteGate } = {};
    // Connection-only allotments need no gate (no per-chunk cost); bandwidth and Throttle ones count demand.
    const gated = allotted.filter(({ a }) => a.quota.spec.bandwidth !== undefined || a.quota.spec.bytes !== undefined);
    const allotUp = gated.filter(({ a }) => a.counts.up);
    const allotDown = gated.filter(({ a }) => a.counts.down);
    if (up.length > 0 || allotUp.length > 0) gates.up = this.gate(up, allotUp, 'up');
    if (down.length > 0 || allotDown.length > 0) gates.down = this.gate(down, allotDown, 'down');
    return {
      gates,
      release: () => {
        for (const { acc, holder } of [...up, ...down]) acc.release(holder);
        closeAllotted();
      },
    };
  }

  private gate(entries: { acc: QuotaAccount; holder: ReservationHolder }[], allotted: { a: AllotmentAccount; h: AllotHolder }[], dir: 'up' | 'down'): ByteGate {
    return {
      consume: (n: number): number => {
        let wait = 0;
        for (const { a, h } of allotted) wait = Math.max(wait, a.charge(h, dir, n));
        let low = false;
        for (const { acc, holder } of entries) {
          acc.charge(holder, n);
          if (acc.throttle !== undefined) {
            wait = Math.max(wait, acc.throttle.consume(n));
            continue;
          }
          if (!acc.reserve(holder)) {
            wait = Math.max(wait, GRANT_WAIT_POLL_MS);
            acc.starved = true;
            low = true;
          } else if (acc.available() < acc.want() / 2) {
            low = true;
          }
        }
        if (low) this.poke();
        return wait;
      },
    };
  }

  /** Sync soon (an account runs low). At most one request in flight, at most one per MIN_SYNC_GAP_MS. */
  poke(): void {
    if (this.inFlight || this.pokeTimer !== undefined) {
      this.again = true;
      return;
    }
    const wait = this.lastSyncAt + MIN_SYNC_GAP_MS - this.now();
    if (wait > 0) {
      this.pokeTimer = setTimeout(() => {
        this.pokeTimer = undefined;
        void this.sync();
      }, wait);
      return;
    }
    void this.sync();
  }

  private pokeTimer: NodeJS.Timeout | undefined;
  private lastSyncAt = -Infinity;

  /** Final reports for every lease (drain); resolves when answered or after `timeoutMs`. */
  async drain(timeoutMs = 2000): Promise<void> {
    for (const acc of this.accounts.values()) acc.closeCurrent();
    this.allotReleases.push(...this.allotments.values());
    this.allotments.clear();
    const deadline = this.now() + timeoutMs;
    while (this.now() < deadline && ([...this.accounts.values()].some((a) => a.closing.length > 0) || this.allotReleases.length > 0)) {
      if (!this.inFlight) await this.sync();
      else await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.pokeTimer !== undefined) clearTimeout(this.pokeTimer);
    this.opts.transport.close();
  }

  /** Status of this proxy's accounts (admin endpoint, tests). */
  snapshot(): { key: string; lease?: string; used: number; granted: number; available: number; demand: number; blocked: boolean; throttled: boolean; serverUsed: number; serverRemaining: number }[] {
    return [...this.accounts.values()].map((a) => {
      const r: ReturnType<QuotaManager['snapshot']>[number] = {
        key: a.key,
        used: a.current?.usedTotal ?? 0,
        granted: a.current?.grantedTotal ?? 0,
        available: a.available(),
        demand: Math.round(a.demand),
        blocked: a.blocked,
        throttled: a.throttle !== undefined,
        serverUsed: a.serverUsed,
        serverRemaining: a.serverRemaining,
      };
      if (a.current !== undefined) r.lease = a.current.id;
      return r;
    });
  }

  private tick(): void {
    const now = this.now();
    const dt = now - this.lastTick;
    this.lastTick = now;
    const offline = !this.online;
    for (const [key, a] of this.allotments) {
      if (a.idleFor(IDLE_RELEASE_MS)) {
        this.allotments.delete(key);
        this.allotReleases.push(a);
      }
    }
    if (!offline) for (const acc of this.accounts.values()) acc.offlineSpent = 0;
    for (const acc of this.accounts.values()) {
      acc.tick(dt);
      const l = acc.current;
      const lapsed = l !== undefined && l.offlineCredit === 0 && l.lapseAt > 0 && now >= l.lapseAt;
      if (lapsed) acc.closeCurrent();
      else if (l !== undefined && acc.holders.size === 0 && (acc.blocked || now - acc.lastSpentAt > IDLE_RELEASE_MS)) acc.closeCurrent();
      const unfunded = acc.current === undefined || (acc.current.lapseAt === 0 && acc.current.offlineCredit === 0);
      if (offline && acc.holders.size > 0 && unfunded) {
        const credit = Math.max(0, acc.quota.spec.offlineAllowance - acc.offlineSpent);
        if (credit > 0) {
          acc.ensureLease().offlineCredit = credit;
          this.opts.log.warn({ quota: acc.quota.metadata.name, allowance: credit }, 'control plane unreachable: spending the offline allowance');
        }
      }
      if (acc.current === undefined && acc.closing.length === 0 && acc.holders.size === 0 && !acc.blocked) {
        this.accounts.delete(acc.key);
      }
    }
    this.poke();
  }

  private buildRequest(): { req: SyncRequest; sent: Sent[]; allotSent: { a: AllotmentAccount; release: boolean }[] } {
    const accounts: AccountReport[] = [];
    const sent: Sent[] = [];
    const allotments: AllotmentReport[] = [];
    const allotSent: { a: AllotmentAccount; release: boolean }[] = [];
    const now = this.now();
    for (const a of this.allotReleases) {
      allotments.push({ quota: a.quota.metadata.name, member: a.member, ...a.report(true) });
      allotSent.push({ a, release: true });
    }
    for (const a of this.allotments.values()) {
      if (now < a.dueAt) continue;
      a.dueAt = now + (this.opts.intervalMs ?? SYNC_INTERVAL_MS);
      allotments.push({ quota: a.quota.metadata.name, member: a.member, ...a.report(false) });
      allotSent.push({ a, release: false });
    }
    for (const acc of this.accounts.values()) {
      for (const l of acc.closing) {
        l.seq = l.known ? l.seq + 1 : 1;
        accounts.push({ quota: acc.quota.metadata.name, member: acc.member, periodStart: l.periodStart, lease: l.id, seq: l.seq, usedTotal: l.usedTotal, want: 0, release: true });
        sent.push({ acc, lease: l, release: true });
      }
      if (acc.blocked && acc.holders.size === 0 && acc.current === undefined) {
        // Blocked and idle: a probe (new lease, released at once) learns whether bytes are back
        // without holding a lease in the ledger.
        const probe = `${this.opts.proxyId}#${++this.leaseCounter}`;
        accounts.push({ quota: acc.quota.metadata.name, member: acc.member, periodStart: 0, lease: probe, seq: 1, usedTotal: 0, want: 0, release: true });
        sent.push({ acc, probe });
        continue;
      }
      if (acc.current === undefined && acc.holders.size === 0) continue;
      const l = acc.ensureLease();
      l.seq = l.known ? l.seq + 1 : 1;
      acc.updateRamp();
      const want = acc.blocked || acc.holders.size > 0 ? acc.want() : 0;
      accounts.push({ quota: acc.quota.metadata.name, member: acc.member, periodStart: l.periodStart, lease: l.id, seq: l.seq, usedTotal: l.usedTotal, want, release: false });
      sent.push({ acc, lease: l, release: false });
    }
    return { req: { proxyId: this.opts.proxyId, requestId: ++this.requestId, accounts, allotments }, sent, allotSent };
  }

  private async sync(): Promise<void> {
    if (this.closed || this.inFlight) return;
    const { req, sent, allotSent } = this.buildRequest();
    if (sent.length === 0 && allotSent.length === 0) {
      this.lastOkAt = this.now();
      return;
    }
    this.inFlight = true;
    const sentAt = this.now();
    this.lastSyncAt = sentAt;
    try {
      const res = await this.opts.transport.sync(req);
      this.stats.syncs++;
      this.lastOkAt = this.now();
      this.apply(res, sent, sentAt);
      this.applyAllotments(res, allotSent);
    } catch (err) {
      this.stats.failures++;
      // Not answered: report again at once next time (releases stay queued).
      for (const { a } of allotSent) a.dueAt = 0;
      this.opts.log.debug({ err: err instanceof Error ? err.message : String(err) }, 'usage sync failed');
    } finally {
      this.inFlight = false;
    }
    if (this.again) {
      this.again = false;
      setImmediate(() => this.poke());
    }
  }

  private apply(res: SyncResponse__Output, sent: Sent[], sentAt: number): void {
    const now = this.now();
    const byLease = new Map(res.grants.map((g) => [g.lease, g]));
    for (const s of sent) {
      const acc = s.acc;
      if (s.probe !== undefined) {
        const g = byLease.get(s.probe);
        if (g !== undefined && !g.unknown && Number(g.remaining) >= MIN_WANT) {
          acc.blocked = false;
          acc.exhaustedSince = 0;
          this.opts.log.info({ quota: acc.quota.metadata.name }, 'quota available again');
        }
        continue;
      }
      const lease = s.lease;
      const g = byLease.get(lease.id);
      if (g === undefined) continue; // not applied (ledger unreachable): reported again next time
      if (!g.unknown) lease.known = true;
      if (lease.closing) {
        // Only the answer to its final report closes a lease. A lease closed while an ordinary
        // report was in flight (lapse, idle, drain) still owes the ledger its final report: the
        // bytes since, and the release of its unspent grant (else the TTL sweep settles that
        // grant as used: the ledger would count bytes never relayed).
        if (!s.release) continue;
        const i = acc.closing.indexOf(lease);
        if (i >= 0) acc.closing.splice(i, 1);
        continue;
      }
      if (acc.current !== lease) continue;
      if (g.unknown) continue;
      if (g.lapsed) {
        // Settled by the ledger (we were silent for the TTL): send the exact final usage so the
        // settled charge is corrected, and start a new lease.
        this.opts.log.warn({ quota: acc.quota.metadata.name, lease: lease.id }, 'quota lease lapsed in the ledger; reporting final usage');
        acc.closeCurrent();
        continue;
      }
      lease.grantedTotal = Number(g.grantedTotal);
      lease.periodStart = Number(g.periodStart);
      lease.periodEnd = Number(g.periodEnd);
      lease.lapseAt = sentAt + Number(g.ttlMs);
      lease.offlineCredit = 0;
      acc.limit = Number(g.limit);
      acc.serverUsed = Number(g.used);
      acc.serverRemaining = Number(g.remaining);
      // A blocked account stays blocked until the ledger can grant MIN_WANT again (new period,
      // higher limit, grants returned elsewhere); the partial reservations its closed sessions
      // returned (< a chunk each) do not reopen it.
      const starving = acc.available() < CHUNK_BYTES || (acc.blocked && Number(g.remaining) < MIN_WANT);
      if (g.exhausted && starving && acc.holders.size + (acc.blocked ? 1 : 0) > 0) {
        if (acc.exhaustedSince === 0) acc.exhaustedSince = now;
        if (now - acc.exhaustedSince >= BLOCK_GRACE_MS) this.exhaust(acc);
      } else if (!starving || (!g.exhausted && (!acc.blocked || Number(g.remaining) >= MIN_WANT))) {
        acc.exhaustedSince = 0;
        if (acc.blocked || acc.throttle !== undefined) this.opts.log.info({ quota: acc.quota.metadata.name }, 'quota available again');
        acc.blocked = false;
        acc.throttle = undefined;
      }
    }
  }

  private applyAllotments(res: SyncResponse__Output, allotSent: { a: AllotmentAccount; release: boolean }[]): void {
    const byKey = new Map(res.allotments.map((g) => [`${g.quota}/${g.member}`, g]));
    for (const { a, release } of allotSent) {
      const g = byKey.get(a.key);
      if (release) {
        if (g !== undefined && !g.failed) this.allotReleases = this.allotReleases.filter((x) => x !== a);
        continue;
      }
      if (g === undefined || g.failed || g.unknown) {
        a.dueAt = 0;
        continue;
      }
      a.apply({ bandwidthShare: Number(g.bandwidthShare), throttleShare: Number(g.throttleShare), connections: Number(g.connections), connectionsLimit: Number(g.connectionsLimit), ttlMs: Number(g.ttlMs) });
      const acc = this.accounts.get(a.key);
      if (acc?.throttle !== undefined) acc.throttle.setRate(a.throttleRate());
    }
  }

  /** This proxy's allotments (admin endpoint, tests): shares, slots, demand. */
  allotmentSnapshot(): { key: string; bandwidthShare: number; throttleShare: number; slots: number; inUse: number; sessions: number }[] {
    return [...this.allotments.values()].map((a) => ({ key: a.key, bandwidthShare: a.bandwidthShare, throttleShare: a.throttleShare, slots: a.slots, inUse: a.inUse, sessions: a.holders.size }));
  }

  private exhaust(acc: QuotaAccount): void {
    const action = acc.quota.spec.onExhausted;
    if (action.action === 'Throttle') {
      if (acc.throttle === undefined) {
        // This proxy's share of the cluster-wide throttle rate (5 % of it until a share is known).
        const rate = this.allotments.get(acc.key)?.throttleRate() ?? Math.max(1, Math.floor((action.rate ?? 1) * INITIAL_SHARE_FRACTION));
        acc.throttle = new TokenBucket(rate);
        this.opts.log.info({ quota: acc.quota.metadata.name, rate, clusterRate: action.rate }, 'quota used up: throttling');
      }
      return;
    }
    if (!acc.blocked) this.opts.log.info({ quota: acc.quota.metadata.name, sessions: acc.holders.size }, 'quota used up: blocking');
    acc.blockAll();
  }
}

/** The account member a session of `user` is charged as under quota `q` (undefined: not a subject). */
function memberOf(q: SocksQuota, user: string, groups: readonly string[]): string | undefined {
  const s = q.spec.subject;
  if (s.user !== undefined) return s.user === user ? user : undefined;
  if (s.group !== undefined && groups.includes(s.group)) return s.scope === 'Shared' ? SHARED_MEMBER : user;
  return undefined;
}
