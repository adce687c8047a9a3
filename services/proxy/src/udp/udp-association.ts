import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { normalizeIp, type Logger } from '@sockscale/common';
import { encodeUdpHeader, parseUdpHeader } from '../socks5';
import type { Decision, SubjectRules } from '../policy';
import type { ByteCounters } from '../relay/tcp-relay';
import type { SessionGates } from '../limits';
import { recordDecision } from '../stages/record-decision';
import type { ProxyContext } from '../server/proxy-context';

/** Per-association bounds: remembered destinations (for replies) and cached decisions. */
const MAX_PEERS = 1024;
const MAX_DECISIONS = 1024;

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
  onDecision: (d: Decision) => void;
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
 */
export class UdpAssociation {
  private clientPort: number;
  private rules: SubjectRules;
  private readonly peers = new Set<string>();
  private readonly decisions = new Map<string, Decision>();
  private out4: UdpSocket | undefined;
  private out6: UdpSocket | undefined;
  private closed = false;

  private constructor(
    private readonly o: UdpAssociationOptions,
    private readonly front: UdpSocket,
  ) {
    this.clientPort = o.clientPort;
    this.rules = o.rules;
    front.on('message', this.onClientDatagram);
  }

  static open(o: UdpAssociationOptions): Promise<UdpAssociation> {
    const host = normalizeIp(o.bindHost) ?? o.bindHost;
    const front = host.includes(':') ? createSocket({ type: 'udp6', ipv6Only: true }) : createSocket('udp4');
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
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.front.close();
    this.out4?.close();
    this.out6?.close();
  }

  private drop(reason: string): void {
    this.o.ctx.metrics.udpDropped.inc({ reason });
  }

  private onClientDatagram = (msg: Buffer, rinfo: RemoteInfo): void => {
    const src = normalizeIp(rinfo.address);
    if (src !== this.o.clientIp || (this.clientPort !== 0 && rinfo.port !== this.clientPort)) return this.drop('stranger');
    if (this.clientPort === 0) this.clientPort = rinfo.port; // learned from the first datagram
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
          const ip = ips.find((a) => this.allowed(`${domain}/${a}:${port}`, { domain, ip: a }, port));
          if (ip === undefined) return this.drop('denied');
          this.send(ip, port, payload);
        },
        () => this.drop('resolve_failed'),
      );
      return;
    }
    const ip = normalizeIp(address.host) ?? address.host;
    if (!this.allowed(`${ip}:${port}`, { ip }, port)) return this.drop('denied');
    this.send(ip, port, payload);
  };

  private deny(key: string, destination: { ip?: string; domain?: string }, port: number): void {
    this.allowed(key, destination, port);
    this.drop('denied');
  }

  private allowed(key: string, destination: { ip?: string; domain?: string }, port: number): boolean {
    let d = this.decisions.get(key);
    if (d === undefined) {
      d = this.rules.evaluate({ command: 'UdpAssociate', destination, port });
      recordDecision(this.o.ctx.metrics, this.o.log, d);
      this.o.onDecision(d);
      if (this.decisions.size >= MAX_DECISIONS) this.decisions.clear();
      this.decisions.set(key, d);
    }
    return d.action === 'Allow';
  }

  private send(ip: string, port: number, payload: Buffer): void {
    if (this.closed) return;
    const out = ip.includes(':') ? (this.out6 ??= this.outbound('udp6')) : (this.out4 ??= this.outbound('udp4'));
    const key = `${ip}|${port}`;
    if (!this.peers.has(key)) {
      if (this.peers.size >= MAX_PEERS) {
        const first = this.peers.values().next();
        if (first.done !== true) this.peers.delete(first.value);
      }
      this.peers.add(key);
    }
    // A datagram cannot wait like a TCP read: over the limit it is dropped (policing).
    const gate = this.o.gates?.up;
    if (gate !== undefined && gate.overLimit()) return this.o.ctx.metrics.udpRateLimited.inc();
    gate?.consume(payload.length);
    this.o.counters.up += payload.length;
    this.o.ctx.metrics.udpUp.inc();
    out.send(payload, port, ip, (err) => {
      if (err) this.drop('send_failed');
    });
  }

  private outbound(type: 'udp4' | 'udp6'): UdpSocket {
    const s = type === 'udp6' ? createSocket({ type, ipv6Only: true }) : createSocket(type);
    s.on('error', (err) => this.o.log.debug({ err: err.message }, 'udp outbound socket error'));
    s.on('message', this.onRemoteDatagram);
    s.bind(0);
    return s;
  }

  private onRemoteDatagram = (msg: Buffer, rinfo: RemoteInfo): void => {
    if (this.closed) return;
    const ip = normalizeIp(rinfo.address) ?? rinfo.address;
    if (!this.peers.has(`${ip}|${rinfo.port}`)) return this.drop('unsolicited');
    if (this.clientPort === 0) return this.drop('unsolicited');
    const gate = this.o.gates?.down;
    if (gate !== undefined && gate.overLimit()) return this.o.ctx.metrics.udpRateLimited.inc();
    gate?.consume(msg.length);
    this.o.counters.down += msg.length;
    this.o.ctx.metrics.udpDown.inc();
    this.front.send([encodeUdpHeader(ip, rinfo.port), msg], this.clientPort, this.o.clientIp, (err) => {
      if (err) this.drop('send_failed');
    });
  };
}
