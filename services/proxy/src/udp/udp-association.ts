import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { normalizeIp, type Logger } from '@sockscale/common';
import { AddressType, encodeUdpHeader, formatIPv4Bytes, parseUdpHeader } from '../socks5';
import type { Decision, SubjectRules } from '../policy';
import type { ByteCounters } from '../relay/tcp-relay';
import type { SessionGates } from '../limits';
import { recordDecision } from '../stages/record-decision';
import { RuleGates } from './rule-gates';
import type { UdpQuota } from './udp-quota';
import { admitDatagram } from './admit-datagram';
import type { ProxyContext } from '../server/proxy-context';

/** Per-association bounds: remembered destinations (for replies) and cached decisions. */
const MAX_PEERS = 1024;
const MAX_DECISIONS = 1024;

/** RSV(2) FRAG ATYP=1 ADDR(4) PORT(2): the header of the common case, an IPv4 destination. */
const V4_HEADER = 10;

export interface UdpAssociationOptions {
  ctx: ProxyContext;
  log: Logger;
  /** Local address of the TCP control connection; the client-facing socket binds there. */
  bindHost: string;
  /** The client's IP as seen on the TCP connection: only datagrams from it are relayed. */
  clientIp: string;
  /** DST.PORT of the request: the client's source port, or 0 to learn it from the first datagram. */
  clientPort: number;
  rules: SubjectRules;
  counters: ByteCounters;
  /** The user's bandwidth gates (shared with their TCP sessions), if a limit applies. */
  gates?: SessionGates | undefined;
  /**
   * Gates for datagrams a decision allowed: the user's rate and the allowing rule's
   * `limits.bandwidth` (per rule and user). Asked once per rule and policy snapshot (again after
   * setRules, so a reload's limits apply in place). Takes the place of `gates` when given.
   */
  gatesFor?: (d: Decision) => SessionGates | undefined;
  onDecision: (d: Decision) => void;
  /** The user's quota charging (closed with the association), if a quota manager is attached. */
  quota?: UdpQuota | undefined;
}

/** A cached IPv4 destination: its text form and whether policy allows it. */
interface V4Destination {
  ip: string;
  port: number;
  allowed: boolean;
  /** A socket connected to this destination once ready (see MAX_CONNECTED). */
  conn?: UdpSocket;
  ready?: boolean;
  /** Gates of the rule that allowed it (undefined: no limit). */
  gates?: SessionGates | undefined;
}

/** A destination the client has sent to: the header for its replies and the gates they pass. */
interface Peer {
  header: Buffer;
  gates: SessionGates | undefined;
}

/**
 * The first few allowed IPv4 destinations of an association get their own connected outbound
 * socket: the kernel keeps the route, so a send costs less, and replies from anyone else are
 * discarded by the kernel (not counted as `unsolicited`). Later destinations share one
 * unconnected socket.
 */
const MAX_CONNECTED = 2;

/**
 * Every address these sockets send to is an IP literal the association produced itself, so the
 * name lookup dgram does before each send is answered at once (dns.lookup would defer it to the
 * next tick and validate its options on every datagram).
 */
function literalLookup(address: string, family: unknown, cb: (err: Error | null, address: string, family: number) => void): void {
  cb(null, address, address.includes(':') ? 6 : 4);
}

/**
 * One UDP ASSOCIATE (RFC 1928 section 7). A client-facing socket receives
 * `RSV FRAG ATYP ADDR PORT DATA` datagrams from the client's address only, checks each
 * destination against policy (decisions cached per destination), and sends the payload from
 * an outbound socket. Datagrams coming back are accepted only from destinations the client has
 * sent to, wrapped in a header naming their source, and sent to the client.
 *
 * Dropped and counted: FRAG != 0 (fragmentation is not supported, as in most servers),
 * datagrams from anyone but the client (`stranger`), malformed headers, denied destinations,
 * unsolicited replies, failed name resolution, oversized payloads.
 *
 * Per datagram the common case (IPv4 destination already seen) allocates nothing but the
 * payload view: the destination is found by its 6 header bytes as one number, and the header
 * for replies is encoded once per peer and reused.
 */
export class UdpAssociation {
  private clientPort: number;
  private rules: SubjectRules;
  /** Destinations the client has sent to: ip -> port -> reply header (RSV FRAG ATYP ADDR PORT). */
  private readonly peers = new Map<string, Map<number, Peer>>();
  private peerCount = 0;
  private readonly decisions = new Map<string, Decision>();
  /** Gates by allowing rule ("policy/rule"), for this snapshot. */
  private readonly ruleGates: RuleGates;
  /** IPv4 destinations by (address * 65536 + port), straight from the header bytes. */
  private readonly v4 = new Map<number, V4Destination>();
  private out4: UdpSocket | undefined;
  private out6: UdpSocket | undefined;
  private readonly connected: UdpSocket[] = [];
  private closed = false;

  private constructor(
    private readonly o: UdpAssociationOptions,
    private readonly front: UdpSocket,
  ) {
    this.ruleGates = new RuleGates(o.gatesFor, o.gates);
    this.clientPort = o.clientPort;
    this.rules = o.rules;
    front.on('message', this.onClientDatagram);
  }

  static open(o: UdpAssociationOptions): Promise<UdpAssociation> {
    const host = normalizeIp(o.bindHost) ?? o.bindHost;
    const front = host.includes(':') ? createSocket({ type: 'udp6', ipv6Only: true, lookup: literalLookup }) : createSocket({ type: 'udp4', lookup: literalLookup });
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        front.close();
        reject(err);
      };
      front.once('error', onError);
      front.bind({ address: host, port: 0 }, () => {
        front.removeListener('error', onError);
        front.on('error', (err) => o.log.debug({ err: err.message }, 'udp client socket error'));
        resolve(new UdpAssociation(o, front));
      });
    });
  }

  address(): { host: string; port: number } {
    const a = this.front.address();
    return { host: a.address, port: a.port };
  }

  setRules(rules: SubjectRules): void {
    this.rules = rules;
    this.decisions.clear();
    this.ruleGates.clear();
    this.v4.clear(); // connected sockets stay open (closed with the association), unused
    this.o.quota?.recheck();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.o.quota?.close();
    this.front.close();
    this.out4?.close();
    this.out6?.close();
    for (const c of this.connected) c.close();
  }

  private drop(reason: string): void {
    this.o.ctx.metrics.udpDropped.inc({ reason });
  }

  private readonly onSent = (err: Error | null): void => {
    if (err) this.drop('send_failed');
  };

  private onClientDatagram = (msg: Buffer, rinfo: RemoteInfo): void => {
    const clientIp = this.o.clientIp;
    if ((rinfo.address !== clientIp && normalizeIp(rinfo.address) !== clientIp) || (this.clientPort !== 0 && rinfo.port !== this.clientPort)) {
      return this.drop('stranger');
    }
    if (this.clientPort === 0) this.clientPort = rinfo.port; // learned from the first datagram
    if (msg.length >= V4_HEADER && msg[3] === AddressType.IPv4) {
      if (msg[2] !== 0) return this.drop('fragmented');
      if (msg.length - V4_HEADER > this.o.ctx.options.udpMaxDatagram) return this.drop('too_large');
      const key = msg.readUInt32BE(4) * 65536 + ((msg[8]! << 8) | msg[9]!);
      const dest = this.v4.get(key) ?? this.learnV4(key, msg);
      if (!dest.allowed) return this.drop('denied');
      if (dest.ready === true && !this.closed) {
        const payload = msg.subarray(V4_HEADER);
        if (!admitDatagram(this.o.ctx, this.o.counters, this.o.quota, dest.gates?.up, 'up', payload.length)) return;
        (dest.conn as UdpSocket).send(payload, this.onSent);
        return;
      }
      this.send(dest.ip, dest.port, msg.subarray(V4_HEADER), dest.gates);
      return;
    }
    const h = parseUdpHeader(msg);
    if (h.status !== 'ok') return this.drop('malformed');
    const { frag, address, port, dataOffset } = h.value;
    if (frag !== 0) return this.drop('fragmented');
    const payload = msg.subarray(dataOffset);
    if (payload.length > this.o.ctx.options.udpMaxDatagram) return this.drop('too_large');
    if (address.type === 'domain') {
      const domain = address.host.toLowerCase().replace(/\.$/, '');
      if (!this.rules.mightAllowDomain('UdpAssociate', domain, port)) return this.deny(`${domain}:${port}`, { domain }, port);
      this.o.ctx.dns.resolve(domain, this.o.ctx.options.connectTimeoutMs).then(
        (ips) => {
          let d: Decision | undefined;
          const ip = ips.find((a) => (d = this.allowing(`${domain}/${a}:${port}`, { domain, ip: a }, port)) !== undefined);
          if (ip === undefined || d === undefined) return this.drop('denied');
          this.send(ip, port, payload, this.gatesOf(d));
        },
        () => this.drop('resolve_failed'),
      );
      return;
    }
    const ip = normalizeIp(address.host) ?? address.host;
    const d = this.allowing(`${ip}:${port}`, { ip }, port);
    if (d === undefined) return this.drop('denied');
    this.send(ip, port, payload, this.gatesOf(d));
  };

  /** First datagram to an IPv4 destination: decide once, remember the answer. */
  private learnV4(key: number, msg: Buffer): V4Destination {
    const ip = formatIPv4Bytes(msg, 4);
    const port = (msg[8]! << 8) | msg[9]!;
    const d = this.allowing(`${ip}:${port}`, { ip }, port);
    const dest: V4Destination = { ip, port, allowed: d !== undefined, gates: d === undefined ? undefined : this.gatesOf(d) };
    if (this.v4.size >= MAX_DECISIONS) this.v4.clear();
    this.v4.set(key, dest);
    if (dest.allowed && this.connected.length < MAX_CONNECTED && !this.closed) this.connectTo(dest);
    return dest;
  }

  /** Opens a socket connected to `dest`; until it is, datagrams go out of the shared socket. */
  private connectTo(dest: V4Destination): void {
    const peer: Peer = { header: encodeUdpHeader(dest.ip, dest.port), gates: dest.gates };
    const s = createSocket({ type: 'udp4', lookup: literalLookup });
    this.connected.push(s);
    s.on('error', (err) => this.o.log.debug({ err: err.message }, 'udp outbound socket error'));
    // Only `dest` can reach a connected socket: no peer lookup, the reply header is known.
    s.on('message', (msg: Buffer) => this.toClient(peer, msg));
    s.connect(dest.port, dest.ip, () => {
      dest.conn = s;
      dest.ready = true;
    });
  }

  private deny(key: string, destination: { ip?: string; domain?: string }, port: number): void {
    this.allowed(key, destination, port);
    this.drop('denied');
  }

  /** The gates for datagrams `d` allowed (cached per rule until the next setRules). */
  private gatesOf(d: Decision): SessionGates | undefined {
    return this.ruleGates.of(d);
  }

  /** The Allow decision for a destination, or undefined when denied. */
  private allowing(key: string, destination: { ip?: string; domain?: string }, port: number): Decision | undefined {
    return this.allowed(key, destination, port) ? this.decisions.get(key) : undefined;
  }

  private allowed(key: string, destination: { ip?: string; domain?: string }, port: number): boolean {
    let d = this.decisions.get(key);
    if (d === undefined) {
      d = this.rules.evaluate({ command: 'UdpAssociate', destination, port });
      recordDecision(this.o.ctx.metrics, () => this.o.log, d);
      this.o.onDecision(d);
      if (this.decisions.size >= MAX_DECISIONS) this.decisions.clear();
      this.decisions.set(key, d);
    }
    return d.action === 'Allow';
  }

  private send(ip: string, port: number, payload: Buffer, gates: SessionGates | undefined): void {
    if (this.closed) return;
    const out = ip.includes(':') ? (this.out6 ??= this.outbound('udp6')) : (this.out4 ??= this.outbound('udp4'));
    if (!admitDatagram(this.o.ctx, this.o.counters, this.o.quota, gates?.up, 'up', payload.length)) return;
    this.remember(ip, port, gates);
    out.send(payload, port, ip, this.onSent);
  }

  /** Registers a destination so its replies are accepted; bounded, oldest address evicted. */
  private remember(ip: string, port: number, gates: SessionGates | undefined): void {
    let ports = this.peers.get(ip);
    const known = ports?.get(port);
    if (known !== undefined) {
      known.gates = gates; // replies pass the gates of the rule that allowed the last send
      return;
    }
    if (this.peerCount >= MAX_PEERS) {
      const first = this.peers.entries().next();
      if (first.done !== true) {
        this.peers.delete(first.value[0]);
        this.peerCount -= first.value[1].size;
        if (first.value[0] === ip) ports = undefined;
      }
    }
    if (ports === undefined) {
      ports = new Map();
      this.peers.set(ip, ports);
    }
    ports.set(port, { header: encodeUdpHeader(ip, port), gates });
    this.peerCount++;
  }

  private outbound(type: 'udp4' | 'udp6'): UdpSocket {
    const s = type === 'udp6' ? createSocket({ type, ipv6Only: true, lookup: literalLookup }) : createSocket({ type, lookup: literalLookup });
    s.on('error', (err) => this.o.log.debug({ err: err.message }, 'udp outbound socket error'));
    s.on('message', this.onRemoteDatagram);
    s.bind(0);
    return s;
  }

  private onRemoteDatagram = (msg: Buffer, rinfo: RemoteInfo): void => {
    if (this.closed) return;
    let ports = this.peers.get(rinfo.address);
    if (ports === undefined && rinfo.family !== 'IPv4') {
      const ip = normalizeIp(rinfo.address);
      if (ip !== undefined) ports = this.peers.get(ip);
    }
    const peer = ports?.get(rinfo.port);
    if (peer === undefined) return this.drop('unsolicited');
    this.toClient(peer, msg);
  };

  private toClient(peer: Peer, msg: Buffer): void {
    if (this.closed) return;
    if (this.clientPort === 0) return this.drop('unsolicited');
    if (!admitDatagram(this.o.ctx, this.o.counters, this.o.quota, peer.gates?.down, 'down', msg.length)) return;
    this.front.send([peer.header, msg], this.clientPort, this.o.clientIp, this.onSent);
  }
}
