import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { normalizeIp, type Logger } from '@sockscale/common';
import { encodeUdpHeader, parseUdpHeader } from '../socks5';
import type { Decision, SubjectRules } from '../policy';
import type { ByteCounters } from '../relay/tcp-relay';
import type { SessionGates } from '../limits';
import { RuleGates } from './rule-gates';
import type { UdpQuota } from './udp-quota';
import { admitDatagram } from './admit-datagram';
import { recordDecision } from '../stages/record-decision';
import type { ProxyContext } from '../server/proxy-context';

const MAX_PEERS = 1024;
const MAX_DECISIONS = 1024;

export interface RelayAssociationOptions {
  ctx: ProxyContext;
  log: Logger;
  rules: SubjectRules;
  /** The byte accounting hook of the user this association belongs to. */
  counters: ByteCounters;
  onDecision: (d: Decision) => void;
  /**
   * Bandwidth gates for datagrams a decision allowed (the user's rate and the allowing rule's
   * `bandwidth`); undefined = unlimited. Datagrams cannot wait: over the limit they are dropped.
   */
  gatesFor?: (d: Decision) => SessionGates | undefined;
  /** Sends a reply datagram (header + payload) to the client through the relay port. */
  toClient: (parts: Buffer[]) => void;
  /**
   * Quota charging of the association's user on this proxy (the owner's session's, or one the
   * relay port holds while relaying on the owner's behalf); undefined = no quota manager.
   */
  quota?: UdpQuota | undefined;
}

/**
 * The destination side of one association on a relay port (per-pod and shared modes): checks
 * each client datagram's destination against the user's policy (decisions cached per
 * destination), sends the payload from its own outbound socket, and hands replies from
 * destinations the client has sent to back to the relay port. The owner of an association and
 * a proxy relaying on the owner's behalf both use it, with the same user's rules and byte
 * counters, so a datagram gets the same decision and is charged to the same user wherever it
 * lands. The client-facing checks (who may send) are the relay port's job.
 */
export class RelayAssociation {
  private rules: SubjectRules;
  /** Destinations the client has sent to, with the gates of the rule that allowed them. */
  private readonly peers = new Map<string, SessionGates | undefined>();
  private readonly ruleGates: RuleGates;
  private readonly decisions = new Map<string, Decision>();
  private out4: UdpSocket | undefined;
  private out6: UdpSocket | undefined;
  private closed = false;

  constructor(private readonly o: RelayAssociationOptions) {
    this.rules = o.rules;
    this.ruleGates = new RuleGates(o.gatesFor);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  setRules(rules: SubjectRules): void {
    this.rules = rules;
    this.decisions.clear();
    this.ruleGates.clear();
    this.o.quota?.recheck();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.o.quota?.close();
    this.out4?.close();
    this.out6?.close();
  }

  private drop(reason: string): void {
    this.o.ctx.metrics.udpDropped.inc({ reason });
  }

  /** One datagram from the client (already checked to come from the client's address). */
  fromClient(msg: Buffer): void {
    if (this.closed) return;
    const h = parseUdpHeader(msg);
    if (h.status !== 'ok') return this.drop('malformed');
    const { frag, address, port, dataOffset } = h.value;
    if (frag !== 0) return this.drop('fragmented');
    const payload = msg.subarray(dataOffset);
    if (payload.length > this.o.ctx.options.udpMaxDatagram) return this.drop('too_large');
    if (address.type === 'domain') {
      const domain = address.host.toLowerCase().replace(/\.$/, '');
      if (!this.rules.mightAllowDomain('UdpAssociate', domain, port)) {
        this.allowed(`${domain}:${port}`, { domain }, port);
        return this.drop('denied');
      }
      this.o.ctx.dns.resolve(domain, this.o.ctx.options.connectTimeoutMs).then(
        (ips) => {
          const ip = ips.find((a) => this.allowed(`${domain}/${a}:${port}`, { domain, ip: a }, port));
          if (ip === undefined) return this.drop('denied');
          this.send(ip, port, payload, this.decisions.get(`${domain}/${ip}:${port}`));
        },
        () => this.drop('resolve_failed'),
      );
      return;
    }
    const ip = normalizeIp(address.host) ?? address.host;
    if (!this.allowed(`${ip}:${port}`, { ip }, port)) return this.drop('denied');
    this.send(ip, port, payload, this.decisions.get(`${ip}:${port}`));
  }

  /** The gates for datagrams `d` allowed (cached per rule until the next setRules). */
  private gatesOf(d: Decision | undefined): SessionGates | undefined {
    return d === undefined ? undefined : this.ruleGates.of(d);
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

  private send(ip: string, port: number, payload: Buffer, d: Decision | undefined): void {
    if (this.closed) return;
    const gates = this.gatesOf(d);
    if (!admitDatagram(this.o.ctx, this.o.counters, this.o.quota, gates?.up, 'up', payload.length)) return;
    const out = ip.includes(':') ? (this.out6 ??= this.outbound('udp6')) : (this.out4 ??= this.outbound('udp4'));
    const key = `${ip}|${port}`;
    if (!this.peers.has(key) && this.peers.size >= MAX_PEERS) {
      const first = this.peers.keys().next();
      if (first.done !== true) this.peers.delete(first.value);
    }
    this.peers.set(key, gates);
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
    const key = `${ip}|${rinfo.port}`;
    if (!this.peers.has(key)) return this.drop('unsolicited');
    if (!admitDatagram(this.o.ctx, this.o.counters, this.o.quota, this.peers.get(key)?.down, 'down', msg.length)) return;
    this.o.toClient([encodeUdpHeader(ip, rinfo.port), msg]);
  };
}
