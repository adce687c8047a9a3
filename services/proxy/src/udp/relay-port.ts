import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { Counter, Gauge, normalizeIp, type Logger, type Registry } from '@sockscale/common';
import type { CompiledPolicy, Decision, SubjectRules } from '../policy';
import type { ByteCounters } from '../relay/tcp-relay';
import { associationKeyOf, type AssociationInfo, type RegistryUpdate, type RelayRegistryPort } from '../relays/registry-types';
import type { ProxyContext } from '../server/proxy-context';
import { RelayAssociation } from './relay-association';
import { limitUserKey, ruleKeyOf } from '../stages/session-limits';
import { pickAssociation, type Candidate } from './pick-association';
import { UdpQuota } from './udp-quota';

export type RelayPortMode = 'per-pod' | 'shared';

export interface RelayPortOptions {
  mode: RelayPortMode;
  listen: { host: string; port: number };
  /** Named in UDP ASSOCIATE replies; port 0 = the bound port. */
  advertise: { host: string; port: number };
  nodeId: string;
  /** Records associations (both modes) and feeds the cache (shared mode). */
  registry?: RelayRegistryPort;
  metricsRegistry: Registry;
}

export interface RelayOpenRequest {
  sessionId: number;
  user: string | null;
  clientIp: string;
  /** Announced UDP source port (DST.PORT), 0 = learn from the first datagram. */
  clientPort: number;
  expected: { host: string; port: number };
  rules: SubjectRules;
  counters: ByteCounters;
  onDecision: (d: Decision) => void;
  log: Logger;
  /** The owner session's quota charging for datagrams that land on this proxy (closed with the association). */
  quota?: UdpQuota | undefined;
}

/** What a session holds for its association, whichever UDP mode made it. */
export interface UdpAssociationHandle {
  address(): { host: string; port: number };
  setRules(rules: SubjectRules): void;
  close(): void;
}

interface Local {
  info: AssociationInfo;
  relay: RelayAssociation;
  /** Learned or announced client port; 0 while waiting for the first datagram. */
  port: number;
}

interface OnBehalf {
  key: string;
  info: AssociationInfo;
  relay: RelayAssociation;
  counters: ByteCounters;
  policy: CompiledPolicy;
  clientKey: string;
  startedAt: number;
  lastUsed: number;
  datagrams: number;
}

/** Datagrams held while a cache miss is looked up. */
const PENDING_PER_CLIENT = 8;
const PENDING_CLIENTS = 1024;
const PENDING_MS = 1000;
/** One Lookup per client IP per this long. */
const LOOKUP_EVERY_MS = 1000;
/** A removed association stays removed for this long even if a slow Lookup answer names it. */
const TOMBSTONE_MS = 10_000;

/**
 * One UDP port per proxy carrying every association (per-pod and shared modes, DESIGN.md
 * section 5). Datagrams are told apart by their source address:
 *
 * 1. an association of this proxy whose client address (IP and port) matches;
 * 2. shared mode: an association another proxy owns (registry cache, followed by Watch), which
 *    this proxy then relays on the owner's behalf with the same user's policy and byte counters;
 * 3. associations from that IP still waiting to learn their port (client sent 0.0.0.0:0 or port
 *    0): see pick-association.ts for how ambiguity is resolved;
 * 4. nothing: in shared mode the datagram is held (up to 1 s, 8 per source) while the registry
 *    is asked (Lookup), then relayed or dropped as `stranger`.
 *
 * When an owner's TCP session ends it removes the association from the registry; every proxy
 * relaying on its behalf sees the delete on its Watch and stops at once.
 */
export class UdpRelayPort {
  private socket: UdpSocket | undefined;
  private bound = { host: '', port: 0 };
  private readonly local = new Map<string, Local>();
  private readonly waiting = new Map<string, Local[]>();
  private readonly cache = new Map<string, AssociationInfo>();
  private readonly cacheByIp = new Map<string, Set<string>>();
  private readonly onBehalf = new Map<string, OnBehalf>();
  private readonly onBehalfByKey = new Map<string, Set<string>>();
  private readonly pending = new Map<string, { msgs: Buffer[]; since: number }>();
  private readonly lookedUp = new Map<string, number>();
  private readonly tombstones = new Map<string, number>();
  private unfollow: (() => void) | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly log: Logger;
  private readonly metrics: { associations: Gauge<'owner'>; onBehalfDatagrams: Counter; lookups: Counter<'result'> };

  constructor(
    private readonly ctx: ProxyContext,
    private readonly o: RelayPortOptions,
  ) {
    this.log = ctx.log.child({ component: 'udp-relay-port' });
    const registers = [o.metricsRegistry];
    const counts = (): Record<'local' | 'remote' | 'cached', number> => ({
      local: this.local.size + [...this.waiting.values()].reduce((n, l) => n + l.length, 0),
      remote: this.onBehalf.size,
      cached: this.cache.size,
    });
    this.metrics = {
      associations: new Gauge({
        name: 'sockscale_proxy_udp_relay_associations',
        help: 'Associations on this relay port: owner=local (this proxy holds the TCP session), remote (relayed on behalf of another proxy), cached (known from the registry).',
        labelNames: ['owner'],
        registers,
        collect() {
          for (const [owner, n] of Object.entries(counts())) this.set({ owner }, n);
        },
      }),
      onBehalfDatagrams: new Counter({ name: 'sockscale_proxy_udp_relayed_on_behalf_total', help: 'Client datagrams relayed for associations another proxy owns (shared mode).', registers }),
      lookups: new Counter({ name: 'sockscale_proxy_udp_registry_lookups_total', help: 'Registry lookups after a cache miss by result (found, none, error).', labelNames: ['result'], registers }),
    };
  }

  /** Binds the port and (shared mode) starts following the registry. */
  async start(): Promise<{ host: string; port: number }> {
    const host = normalizeIp(this.o.listen.host) ?? this.o.listen.host;
    const s = host.includes(':') ? createSocket({ type: 'udp6', ipv6Only: false }) : createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind({ address: host, port: this.o.listen.port }, () => {
        s.removeListener('error', reject);
        resolve();
      });
    });
    s.on('error', (err) => this.log.warn({ err: err.message }, 'relay port socket error'));
    s.on('message', this.onDatagram);
    this.socket = s;
    const a = s.address();
    this.bound = { host: a.address, port: a.port };
    if (this.o.mode === 'shared' && this.o.registry !== undefined) this.unfollow = this.o.registry.follow(this.onUpdate);
    this.sweeper = setInterval(() => this.sweep(), 250);
    this.sweeper.unref();
    return this.bound;
  }

  address(): { host: string; port: number } {
    return this.bound;
  }

  get mode(): RelayPortMode {
    return this.o.mode;
  }

  /** The endpoint named in replies. */
  advertised(): { host: string; port: number } {
    return { host: this.o.advertise.host, port: this.o.advertise.port === 0 ? this.bound.port : this.o.advertise.port };
  }

  /** Live bytes of on-behalf relays (for the byte metrics; sessions count their own). */
  liveBytes(): { up: number; down: number } {
    let up = 0;
    let down = 0;
    for (const ob of this.onBehalf.values()) {
      up += ob.counters.up;
      down += ob.counters.down;
    }
    return { up, down };
  }

  /** The same by the owner's user (null = anonymous), for sockscale_proxy_user_bytes_total. */
  liveUserBytes(visit: (user: string | null, up: number, down: number) => void): void {
    for (const ob of this.onBehalf.values()) visit(ob.info.user === '' ? null : ob.info.user, ob.counters.up, ob.counters.down);
  }

  /** Registers a new association of this proxy; resolves once the registry has it (or after a short wait). */
  async open(r: RelayOpenRequest): Promise<UdpAssociationHandle> {
    const ip = normalizeIp(r.clientIp) ?? r.clientIp;
    const info: AssociationInfo = {
      id: String(r.sessionId),
      owner: this.o.nodeId,
      user: r.user ?? '',
      client: { host: ip, port: r.clientPort },
      expected: r.expected,
      createdUnixMs: Date.now(),
    };
    const entry: Local = {
      info,
      port: r.clientPort,
      relay: new RelayAssociation({
        ctx: this.ctx,
        log: r.log,
        rules: r.rules,
        counters: r.counters,
        onDecision: r.onDecision,
        gatesFor: (d) => this.ctx.limits.gatesFor(limitUserKey(r.user, ip), ruleKeyOf(d), d.limits),
        toClient: (parts) => this.sendTo(parts, entry.port, ip),
        quota: r.quota,
      }),
    };
    if (entry.port !== 0) {
      const k = `${ip}|${entry.port}`;
      const previous = this.local.get(k);
      // The same client address associated again before its old session closed: newest wins.
      if (previous !== undefined) previous.relay.close();
      this.local.set(k, entry);
    } else {
      const list = this.waiting.get(ip) ?? [];
      list.push(entry);
      this.waiting.set(ip, list);
    }
    await this.o.registry?.associate(info);
    let closed = false;
    return {
      address: () => this.advertised(),
      setRules: (rules) => entry.relay.setRules(rules),
      close: () => {
        if (closed) return;
        closed = true;
        entry.relay.close();
        const k = `${ip}|${entry.port}`;
        if (this.local.get(k) === entry) this.local.delete(k);
        const list = this.waiting.get(ip);
        if (list !== undefined) {
          const rest = list.filter((x) => x !== entry);
          if (rest.length === 0) this.waiting.delete(ip);
          else this.waiting.set(ip, rest);
        }
        this.o.registry?.dissociate(info);
      },
    };
  }

  async close(): Promise<void> {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.unfollow?.();
    for (const key of [...this.onBehalfByKey.keys()]) this.endOnBehalf(key, 'shutdown');
    for (const l of this.local.values()) l.relay.close();
    for (const list of this.waiting.values()) for (const l of list) l.relay.close();
    this.local.clear();
    this.waiting.clear();
    await this.o.registry?.close();
    this.socket?.close();
  }

  private sendTo(parts: Buffer[], port: number, ip: string): void {
    if (port === 0 || this.socket === undefined) return this.ctx.metrics.udpDropped.inc({ reason: 'unsolicited' });
    this.socket.send(parts, port, ip, (err) => {
      if (err) this.ctx.metrics.udpDropped.inc({ reason: 'send_failed' });
    });
  }

  private onDatagram = (msg: Buffer, rinfo: RemoteInfo): void => {
    const ip = normalizeIp(rinfo.address) ?? rinfo.address;
    this.dispatch(msg, ip, rinfo.port, true);
  };

  private dispatch(msg: Buffer, ip: string, port: number, mayLookUp: boolean): void {
    const ck = `${ip}|${port}`;
    const mine = this.local.get(ck);
    if (mine !== undefined) return mine.relay.fromClient(msg);
    const ob = this.onBehalf.get(ck);
    if (ob !== undefined) return this.relayOnBehalf(ob, msg);

    const candidates: Candidate[] = [];
    for (const l of this.waiting.get(ip) ?? []) candidates.push({ info: l.info, port: 0, local: l });
    for (const key of this.cacheByIp.get(ip) ?? []) {
      const a = this.cache.get(key);
      if (a === undefined || a.owner === this.o.nodeId) continue;
      if (a.client.port !== 0 && a.client.port !== port) continue;
      if (a.client.port === 0 && this.onBehalfByKey.has(key)) continue; // already learned another port here
      candidates.push({ info: a, port: a.client.port });
    }
    const pick = pickAssociation(candidates, port);
    if (pick.result === 'ambiguous') return this.ctx.metrics.udpDropped.inc({ reason: 'ambiguous' });
    if (pick.result === 'none') {
      if (this.o.mode === 'shared' && this.o.registry !== undefined && mayLookUp) return this.hold(msg, ip, port);
      return this.ctx.metrics.udpDropped.inc({ reason: 'stranger' });
    }
    const c = pick.candidate;
    if (c.local !== undefined) {
      // A waiting association of ours learns its port from this first datagram.
      const l = c.local as Local;
      const rest = (this.waiting.get(ip) ?? []).filter((x) => x !== l);
      if (rest.length === 0) this.waiting.delete(ip);
      else this.waiting.set(ip, rest);
      l.port = port;
      this.local.set(ck, l);
      return l.relay.fromClient(msg);
    }
    const started = this.startOnBehalf(c.info, ck);
    if (started !== undefined) this.relayOnBehalf(started, msg);
  }

  /** Cache miss in shared mode: hold the datagram, ask the registry (rate-limited per IP). */
  private hold(msg: Buffer, ip: string, port: number): void {
    const ck = `${ip}|${port}`;
    let p = this.pending.get(ck);
    if (p === undefined) {
      if (this.pending.size >= PENDING_CLIENTS) return this.ctx.metrics.udpDropped.inc({ reason: 'stranger' });
      p = { msgs: [], since: Date.now() };
      this.pending.set(ck, p);
    }
    if (p.msgs.length >= PENDING_PER_CLIENT) return this.ctx.metrics.udpDropped.inc({ reason: 'stranger' });
    p.msgs.push(msg);
    const last = this.lookedUp.get(ip) ?? 0;
    if (Date.now() - last < LOOKUP_EVERY_MS) return;
    this.lookedUp.set(ip, Date.now());
    (this.o.registry as RelayRegistryPort).lookup(ip).then(
      (found) => {
        this.metrics.lookups.inc({ result: found.length > 0 ? 'found' : 'none' });
        for (const a of found) if (!this.tombstones.has(associationKeyOf(a))) this.cachePut(a);
        this.retryPending(ip);
      },
      (err: Error) => {
        this.metrics.lookups.inc({ result: 'error' });
        this.log.debug({ err: err.message }, 'registry lookup failed');
      },
    );
  }

  private retryPending(ip: string): void {
    for (const [ck, p] of this.pending) {
      if (!ck.startsWith(`${ip}|`)) continue;
      const port = Number(ck.slice(ip.length + 1));
      const probe: Candidate[] = [];
      for (const key of this.cacheByIp.get(ip) ?? []) {
        const a = this.cache.get(key);
        if (a !== undefined && a.owner !== this.o.nodeId && (a.client.port === 0 || a.client.port === port)) probe.push({ info: a, port: a.client.port });
      }
      if (probe.length === 0 && (this.waiting.get(ip)?.length ?? 0) === 0) continue; // still nothing: the sweeper drops it later
      this.pending.delete(ck);
      for (const m of p.msgs) this.dispatch(m, ip, port, false);
    }
  }

  private startOnBehalf(info: AssociationInfo, clientKey: string): OnBehalf | undefined {
    const policy = this.ctx.policy();
    const rules = this.rulesFor(policy, info);
    if (rules === undefined) {
      this.ctx.metrics.udpDropped.inc({ reason: 'denied' });
      return undefined;
    }
    const key = associationKeyOf(info);
    const counters: ByteCounters = { up: 0, down: 0 };
    const [ip, portText] = splitKey(clientKey);
    const ob: OnBehalf = {
      key,
      info,
      counters,
      policy,
      clientKey,
      startedAt: Date.now(),
      lastUsed: Date.now(),
      datagrams: 0,
      relay: new RelayAssociation({
        ctx: this.ctx,
        log: this.log.child({ association: key }),
        rules,
        counters,
        onDecision: () => undefined,
        // The owner's user and rules: on-behalf datagrams are held to the same limits here.
        gatesFor: (d) => this.ctx.limits.gatesFor(limitUserKey(info.user === '' ? null : info.user, ip), ruleKeyOf(d), d.limits),
        toClient: (parts) => this.sendTo(parts, Number(portText), ip),
        // Bytes charged to the owner's user through this proxy's grants (the account is the
        // user's, whichever proxy relays). Used up with Block: this proxy drops the datagrams.
        quota: this.ctx.quota === undefined ? undefined : new UdpQuota({ quota: this.ctx.quota, user: info.user === '' ? null : info.user, metrics: this.ctx.metrics, eager: false }),
      }),
    };
    this.onBehalf.set(clientKey, ob);
    const set = this.onBehalfByKey.get(key) ?? new Set<string>();
    set.add(clientKey);
    this.onBehalfByKey.set(key, set);
    this.log.debug({ association: key, user: info.user || undefined, client: clientKey }, 'relaying on behalf of another proxy');
    return ob;
  }

  private relayOnBehalf(ob: OnBehalf, msg: Buffer): void {
    const policy = this.ctx.policy();
    if (policy !== ob.policy) {
      const rules = this.rulesFor(policy, ob.info);
      if (rules === undefined) {
        this.endOnBehalf(ob.key, 'closed_by_policy');
        return this.ctx.metrics.udpDropped.inc({ reason: 'denied' });
      }
      ob.policy = policy;
      ob.relay.setRules(rules);
    }
    ob.lastUsed = Date.now();
    ob.datagrams++;
    this.metrics.onBehalfDatagrams.inc();
    ob.relay.fromClient(msg);
  }

  /** The owner's user under the current policy: same subject, same rules, same decision. */
  private rulesFor(policy: CompiledPolicy, info: AssociationInfo): SubjectRules | undefined {
    let rules: SubjectRules;
    if (info.user === '') {
      if (!policy.anonymousAllowed(info.client.host)) return undefined;
      rules = policy.forSubject({ user: null, groups: [], clientIp: info.client.host });
    } else {
      const u = policy.users.get(info.user);
      if (u === undefined || u.spec.disabled) return undefined;
      rules = policy.forSubject({ user: info.user, groups: u.spec.groups, clientIp: info.client.host });
    }
    return rules.permits('UdpAssociate') ? rules : undefined;
  }

  /** Stops relaying for an association on this proxy; one access-log line per client address. */
  private endOnBehalf(key: string, outcome: string): void {
    const set = this.onBehalfByKey.get(key);
    if (set === undefined) return;
    this.onBehalfByKey.delete(key);
    for (const ck of set) {
      const ob = this.onBehalf.get(ck);
      if (ob === undefined) continue;
      this.onBehalf.delete(ck);
      ob.relay.close();
      this.ctx.metrics.addClosedBytes(ob.counters.up, ob.counters.down, ob.info.user === '' ? null : ob.info.user);
      this.ctx.accessLog.info(
        {
          user: ob.info.user === '' ? undefined : ob.info.user,
          client: ck.replace('|', ':'),
          command: 'udp_associate',
          owner: ob.info.owner,
          association: ob.key,
          datagrams: ob.datagrams,
          bytesUp: ob.counters.up,
          bytesDown: ob.counters.down,
          durationMs: Date.now() - ob.startedAt,
          outcome,
        },
        'udp relay on behalf',
      );
    }
  }

  private onUpdate = (u: RegistryUpdate): void => {
    switch (u.type) {
      case 'reset': {
        const keep = new Set(u.associations.map(associationKeyOf));
        for (const key of [...this.cache.keys()]) if (!keep.has(key)) this.cacheDelete(key);
        for (const a of u.associations) this.cachePut(a);
        for (const ip of new Set(u.associations.map((a) => a.client.host))) this.retryPending(ip);
        return;
      }
      case 'association':
        this.tombstones.delete(associationKeyOf(u.association));
        this.cachePut(u.association);
        this.retryPending(u.association.client.host);
        return;
      case 'association-removed':
        this.tombstones.set(u.key, Date.now());
        this.cacheDelete(u.key);
        return;
      default:
        return;
    }
  };

  private cachePut(a: AssociationInfo): void {
    const key = associationKeyOf(a);
    this.cache.set(key, a);
    const set = this.cacheByIp.get(a.client.host) ?? new Set<string>();
    set.add(key);
    this.cacheByIp.set(a.client.host, set);
  }

  private cacheDelete(key: string): void {
    const a = this.cache.get(key);
    if (a !== undefined) {
      this.cache.delete(key);
      const set = this.cacheByIp.get(a.client.host);
      set?.delete(key);
      if (set?.size === 0) this.cacheByIp.delete(a.client.host);
    }
    this.endOnBehalf(key, 'owner_closed');
  }

  private sweep(): void {
    const now = Date.now();
    for (const [ck, p] of this.pending) {
      if (now - p.since < PENDING_MS) continue;
      this.pending.delete(ck);
      this.ctx.metrics.udpDropped.inc({ reason: 'stranger' }, p.msgs.length);
    }
    for (const [k, t] of this.tombstones) if (now - t > TOMBSTONE_MS) this.tombstones.delete(k);
    for (const [ip, t] of this.lookedUp) if (now - t > LOOKUP_EVERY_MS) this.lookedUp.delete(ip);
    const idle = this.ctx.options.idleTimeoutMs;
    if (idle > 0) for (const ob of [...this.onBehalf.values()]) if (now - ob.lastUsed > idle) this.endOnBehalf(ob.key, 'idle_timeout');
  }
}

function splitKey(ck: string): [string, string] {
  const i = ck.lastIndexOf('|');
  return [ck.slice(0, i), ck.slice(i + 1)];
}
