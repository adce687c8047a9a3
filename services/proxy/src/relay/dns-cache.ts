import { lookup } from 'node:dns';
import { SockscaleError, normalizeIp } from '@sockscale/common';

interface Entry {
  expires: number;
  addresses?: string[];
  error?: NodeJS.ErrnoException;
}

/**
 * Small resolver cache in front of getaddrinfo (dns.lookup, so /etc/hosts works): bounded
 * size, positive and negative lifetimes, concurrent lookups of one name coalesced, and a
 * deadline so a stuck resolver cannot hold a session.
 */
export class DnsCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<string[]>>();

  constructor(
    private readonly ttlMs: number,
    private readonly negativeTtlMs: number,
    private readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  resolve(host: string, timeoutMs: number): Promise<string[]> {
    const name = host.toLowerCase().replace(/\.$/, '');
    const hit = this.entries.get(name);
    if (hit !== undefined) {
      if (hit.expires > Date.now()) {
        return hit.error !== undefined ? Promise.reject(hit.error) : Promise.resolve(hit.addresses ?? []);
      }
      this.entries.delete(name);
    }
    let p = this.pending.get(name);
    if (p === undefined) {
      p = this.lookup(name).finally(() => this.pending.delete(name));
      this.pending.set(name, p);
    }
    return withDeadline(p, timeoutMs);
  }

  private lookup(name: string): Promise<string[]> {
    return new Promise((resolve, reject) => {
      lookup(name, { all: true, verbatim: true }, (err, addrs) => {
        if (err) {
          if (err.code !== 'EAI_AGAIN') this.store(name, { expires: Date.now() + this.negativeTtlMs, error: err });
          reject(err);
          return;
        }
        const addresses: string[] = [];
        for (const a of addrs) {
          const n = normalizeIp(a.address);
          if (n !== undefined && !addresses.includes(n)) addresses.push(n);
        }
        this.store(name, { expires: Date.now() + this.ttlMs, addresses });
        resolve(addresses);
      });
    });
  }

  private store(name: string, e: Entry): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(name, e);
  }
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new SockscaleError('ERR_SOCKSCALE_DNS_TIMEOUT', `name resolution took longer than ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
