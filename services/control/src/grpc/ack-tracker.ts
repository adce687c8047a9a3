/**
 * Which proxy has which snapshot: per Watch stream, the version sent, ACKed and NACKed. The
 * admin API lists it and metrics count proxies by state; the CRD status will read it too.
 * Disconnected proxies are remembered for `retainMs` so a NACK stays visible after a restart.
 */
import type { ProxyStatus } from '@sockscale/common';

export interface TrackedProxy {
  id: string;
  build: string;
  metadata: Record<string, string>;
  peer: string;
  connected: boolean;
  sentVersion: number;
  sentAt: number;
  ackedVersion: number;
  nackedVersion: number;
  nackError: string;
  lastSeenMs: number;
  /** Increments per stream so a stale stream closing does not mark a newer one disconnected. */
  stream: number;
}

export class AckTracker {
  private readonly proxies = new Map<string, TrackedProxy>();
  private streams = 0;

  constructor(private readonly retainMs = 10 * 60_000) {}

  connect(node: { id: string; build: string; metadata: Record<string, string> }, peer: string, haveVersion: number): TrackedProxy {
    this.prune();
    const p: TrackedProxy = {
      id: node.id,
      build: node.build,
      metadata: node.metadata,
      peer,
      connected: true,
      sentVersion: haveVersion,
      sentAt: Date.now(),
      ackedVersion: haveVersion,
      nackedVersion: 0,
      nackError: '',
      lastSeenMs: Date.now(),
      stream: ++this.streams,
    };
    this.proxies.set(node.id, p);
    return p;
  }

  disconnect(p: TrackedProxy): void {
    const cur = this.proxies.get(p.id);
    if (cur?.stream === p.stream) {
      cur.connected = false;
      cur.lastSeenMs = Date.now();
    }
  }

  sent(p: TrackedProxy, version: number): void {
    p.sentVersion = version;
    p.sentAt = Date.now();
  }

  ack(p: TrackedProxy, version: number): void {
    p.ackedVersion = version;
    if (p.nackedVersion <= version) {
      p.nackedVersion = 0;
      p.nackError = '';
    }
    p.lastSeenMs = Date.now();
  }

  nack(p: TrackedProxy, version: number, appliedVersion: number, error: string): void {
    p.nackedVersion = version;
    p.nackError = error;
    p.ackedVersion = appliedVersion;
    p.lastSeenMs = Date.now();
  }

  list(): ProxyStatus[] {
    this.prune();
    return [...this.proxies.values()]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((p) => ({
        id: p.id,
        build: p.build,
        metadata: p.metadata,
        peer: p.peer,
        connected: p.connected,
        ackedVersion: p.ackedVersion,
        nackedVersion: p.nackedVersion,
        nackError: p.nackError,
        sentVersion: p.sentVersion,
        lastSeenMs: p.lastSeenMs,
      }));
  }

  /** Connected proxies by state relative to `version`. */
  states(version: number): Record<'current' | 'pending' | 'nacked', number> {
    const out = { current: 0, pending: 0, nacked: 0 };
    for (const p of this.proxies.values()) {
      if (!p.connected) continue;
      if (p.ackedVersion === version) out.current++;
      else if (p.nackedVersion === version) out.nacked++;
      else out.pending++;
    }
    return out;
  }

  private prune(): void {
    const cutoff = Date.now() - this.retainMs;
    for (const [id, p] of this.proxies) if (!p.connected && p.lastSeenMs < cutoff) this.proxies.delete(id);
  }
}
