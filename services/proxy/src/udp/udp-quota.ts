import type { ByteGate } from '../relay/byte-gate';
import type { QuotaManager, QuotaSessionHold } from '../quota';
import type { ProxyMetrics, UdpQuotaOutcome } from '../server/proxy-metrics';
import { quotaSignature } from '../stages/session-quota';

/** A hold without datagrams for this long is released (its unspent grant goes back with the account's). */
export const UDP_QUOTA_IDLE_MS = 5000;

export interface UdpQuotaOptions {
  quota: QuotaManager;
  /** The association's user (null = anonymous: quotas never apply). */
  user: string | null;
  metrics: ProxyMetrics;
  /**
   * Take the hold when the association opens (the grant is fetched before the first datagram).
   * Off for relays that may never see a datagram (shared mode: the owner, and proxies relaying on
   * its behalf, hold only while datagrams arrive), so no proxy sits on a grant another one needs.
   */
  eager: boolean;
  /** Block at exhaustion: called once (the owner closes the TCP control connection). */
  onBlock?: () => void;
}

type Direction = 'up' | 'down';

/**
 * Quota charging of one UDP association on one proxy, through the QuotaManager's session hold
 * (same accounts, grants and ledger as TCP sessions of the user).
 *
 * A datagram cannot wait like a TCP read, so instead of pausing it is policed: it is relayed
 * only while the gate of its direction says the next chunk is covered (a whole 64 KiB
 * reservation of granted bytes, which is at least any datagram), then charged with its payload
 * bytes. Otherwise it is dropped and counted (sockscale_proxy_udp_quota_datagrams_total:
 * no_grant while a grant is on its way, throttled at the Throttle rate, blocked when the quota
 * is used up with Block). So the bytes relayed never exceed the bytes granted.
 */
export class UdpQuota {
  private signature: string;
  private hold: QuotaSessionHold | undefined;
  private gates: { up?: ByteGate; down?: ByteGate } = {};
  /** The gate's last answer was "go": the next datagram of that direction is covered. */
  private ready = { up: false, down: false };
  private lastUsed = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private blockedOnce = false;

  constructor(private readonly o: UdpQuotaOptions) {
    this.signature = quotaSignature(o.quota, o.user);
  }

  /** At open: undefined when the association may start, else why it is refused (Block, used up). */
  start(): string | undefined {
    const h = this.o.quota.hold(this.o.user, this.onBlocked);
    if ('rejected' in h) return h.rejected;
    // A hold without gates (no quota for this user, anonymous) costs nothing: kept either way.
    if (this.o.eager || !gated(h)) this.take(h);
    else h.release();
    return undefined;
  }

  /** May a datagram of this direction be relayed now? A `false` is counted; the caller drops it. */
  admit(dir: Direction): boolean {
    if (this.closed) return false;
    if (this.hold === undefined) {
      const h = this.o.quota.hold(this.o.user, this.onBlocked);
      if ('rejected' in h) return this.dropped(dir, 'blocked');
      this.take(h);
    }
    const gate = this.gates[dir];
    if (gate === undefined || this.ready[dir]) return true;
    if (gate.consume(0) === 0) {
      this.ready[dir] = true;
      return true;
    }
    return this.dropped(dir, this.throttled() ? 'throttled' : 'no_grant');
  }

  /** Charges a relayed datagram's payload bytes (after admit said yes). */
  charge(dir: Direction, n: number): void {
    const gate = this.gates[dir];
    if (gate === undefined) return;
    this.lastUsed = performance.now();
    this.o.metrics.udpQuota[dir].charged.inc();
    this.ready[dir] = gate.consume(n) === 0;
  }

  /** After a policy snapshot: quota accounts that changed (a quota added, removed or edited) are held anew. */
  recheck(): void {
    if (this.closed) return;
    const sig = quotaSignature(this.o.quota, this.o.user);
    if (sig === this.signature) return;
    this.signature = sig;
    const retake = this.o.eager || this.hold !== undefined;
    this.releaseHold();
    if (!retake) return;
    const h = this.o.quota.hold(this.o.user, this.onBlocked);
    if ('rejected' in h) this.onBlocked();
    else this.take(h);
  }

  close(): void {
    this.closed = true;
    this.releaseHold();
  }

  private take(h: QuotaSessionHold): void {
    this.hold = h;
    this.gates = h.gates ?? {};
    this.ready = { up: false, down: false };
    if (!gated(h)) return;
    this.lastUsed = performance.now();
    // Ask for a grant now rather than at the next once-a-second sync: datagrams cannot wait for it.
    this.o.quota.poke();
    this.timer = setInterval(() => {
      if (performance.now() - this.lastUsed > UDP_QUOTA_IDLE_MS) this.releaseHold();
    }, UDP_QUOTA_IDLE_MS / 2);
    this.timer.unref();
  }

  private releaseHold(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    const h = this.hold;
    this.hold = undefined;
    this.gates = {};
    h?.release();
  }

  private readonly onBlocked = (): void => {
    this.releaseHold();
    if (this.blockedOnce) return;
    this.blockedOnce = true;
    this.o.onBlock?.();
  };

  private throttled(): boolean {
    return this.o.quota.accountsFor(this.o.user).some((a) => a.throttle !== undefined);
  }

  private dropped(dir: Direction, outcome: Exclude<UdpQuotaOutcome, 'charged'>): false {
    this.o.metrics.udpQuota[dir][outcome].inc();
    this.o.metrics.udpQuotaDropped.inc();
    return false;
  }
}

function gated(h: QuotaSessionHold): boolean {
  return h.gates?.up !== undefined || h.gates?.down !== undefined;
}
