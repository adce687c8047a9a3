import type { Socket } from 'node:net';
import { normalizeIp, type Command as PolicyCommand, type Logger, type Protocol } from '@sockscale/common';
import {
  Command,
  Method,
  Reply,
  encodeMethodSelection,
  encodeReply,
  encodeUserPassStatus,
  parseGreeting,
  parseRequest,
  parseUserPass,
  type SocksAddress,
} from '../socks5';
import { NO_MATCH, type CompiledPolicy, type Decision, type SubjectRules } from '../policy';
import { REPLY_OUTCOME, replyForError } from '../relay/errno-reply';
import { DialCanceller, dialFirst } from '../relay/dial';
import { startRelayTcp, type ByteCounters, type RelayDoneListener, type RelayResult } from '../relay/tcp-relay';
import { acceptBindPeer } from '../relay/bind';
import { UdpAssociation, UdpQuota, type UdpAssociationHandle } from '../udp';
import { recheckQuota } from '../stages/session-quota';
import { recordDecision } from '../stages/record-decision';
import type { AuthResult } from '../stages/password-verifier';
import { inspectTunnel } from '../stages/inspect-tunnel';
import { holdLimitsWithSlots, limitUserKey, rewireLimits, ruleKeyOf, type LimitHold } from '../stages/session-limits';
import type { CommandLabel } from './proxy-metrics';
import type { ProxyContext } from './proxy-context';

/** Greeting (257) + RFC 1929 auth (513) + request (262) is the most a handshake can need. */
const MAX_HANDSHAKE_BYTES = 1032;
/** After a failure reply, how long we wait for the client to close before we cut it. */
const LINGER_MS = 2000;
/** The handshake buffer when empty: shared, so an established session holds no buffer of its own. */
const EMPTY: Buffer = Buffer.alloc(0);

/**
 * The client socket points at its session, so its listeners are shared module functions
 * (EventEmitter calls them with the socket as `this`), not closures held by every session.
 */
const kSession = Symbol('sockscale.session');
type SessionSocket = Socket & { [kSession]?: Session };

function onClientError(this: SessionSocket, err: Error): void {
  this[kSession]?.onSocketError(err);
}

function onClientClose(this: SessionSocket): void {
  this[kSession]?.onSocketClose();
}

function onClientData(this: SessionSocket, chunk: Buffer): void {
  this[kSession]?.onData(chunk);
}

type State = 'greeting' | 'auth' | 'authenticating' | 'request' | 'connecting' | 'established' | 'closing' | 'closed';

const COMMAND_LABEL: Readonly<Record<number, CommandLabel>> = {
  [Command.Connect]: 'connect',
  [Command.Bind]: 'bind',
  [Command.UdpAssociate]: 'udp_associate',
};

/**
 * One client connection, from accept to close: the SOCKS5 handshake as a small state machine
 * over a bounded buffer, then the command (CONNECT, BIND, UDP ASSOCIATE), then one access-log
 * line. Every socket it owns has an 'error' listener from the moment it exists.
 */
export class Session implements RelayDoneListener {
  readonly id: number;
  readonly clientIp: string;
  readonly clientPort: number;
  readonly startedAt = Date.now();
  readonly bytes: ByteCounters = { up: 0, down: 0 };

  private state: State = 'greeting';
  private buf: Buffer = EMPTY;
  private method: 'none' | 'password' = 'none';
  private user: string | null = null;

  /** The authenticated user (null: anonymous, or not authenticated yet). */
  get userName(): string | null {
    return this.user;
  }
  private groups: readonly string[] = [];
  private commandLabel: CommandLabel = 'none';
  private destination = '';
  private outcome = 'aborted';
  private decision: Decision | undefined;
  private policy: CompiledPolicy;
  private rules: SubjectRules | undefined;
  private target: Socket | undefined;
  private udp: UdpAssociationHandle | undefined;
  private abort: { abort(): void } | undefined;
  private cleanup: (() => void) | undefined;
  /** What an established session was allowed for, so a new policy can re-check it. */
  private recheckRequest: { command: PolicyCommand; ip?: string; domain?: string; port: number; protocol?: Protocol; serverName?: string } | undefined;
  /** Connection slot and bandwidth gates of an allowed session (limits stage). */
  private hold: LimitHold | undefined;
  private lingerUntil = 0;
  /** Bytes at the last sweep that saw traffic, and when (idle timeout). */
  private idleUp = -1;
  private idleDown = -1;
  private idleSince = 0;
  /** Per-session child logger, made on first use (most sessions never log on their own). */
  private childLog: Logger | undefined;

  constructor(
    private readonly ctx: ProxyContext,
    private readonly socket: Socket,
    id: number,
  ) {
    this.id = id;
    this.clientIp = normalizeIp(socket.remoteAddress ?? '') ?? 'unknown';
    this.clientPort = socket.remotePort ?? 0;
    this.policy = ctx.policy();
    (socket as SessionSocket)[kSession] = this;
    socket.on('error', onClientError);
    socket.on('close', onClientClose);
    socket.on('data', onClientData);
    ctx.metrics.sessionOpened();
  }

  private get log(): Logger {
    return (this.childLog ??= this.ctx.log.child({ session: this.id }));
  }

  /** Called about once a second by the server: deadlines without a timer per session. */
  tick(now: number): void {
    switch (this.state) {
      case 'greeting':
      case 'auth':
      case 'authenticating':
      case 'request':
        if (now - this.startedAt > this.ctx.options.handshakeTimeoutMs) {
          this.outcome = 'handshake_timeout';
          this.socket.destroy();
        }
        return;
      case 'closing':
        if (now > this.lingerUntil) this.socket.destroy();
        return;
      case 'established': {
        const idle = this.ctx.options.idleTimeoutMs;
        if (idle <= 0) return;
        if (this.bytes.up !== this.idleUp || this.bytes.down !== this.idleDown) {
          this.idleUp = this.bytes.up;
          this.idleDown = this.bytes.down;
          this.idleSince = now;
        } else if (now - this.idleSince > idle) {
          this.outcome = 'idle_timeout';
          this.destroyAll();
        }
        return;
      }
      default:
        return;
    }
  }

  /** Re-evaluates an open session against a new policy; closes it when no longer allowed. */
  recheck(policy: CompiledPolicy): void {
    this.policy = policy;
    if (this.state !== 'established' || this.recheckRequest === undefined) return;
    const subject = this.subjectFor(policy);
    if (subject === undefined) {
      this.closeByPolicy('user no longer exists or is disabled');
      return;
    }
    this.rules = subject;
    this.udp?.setRules(subject);
    const req = this.recheckRequest;
    if (req.ip === undefined && req.domain === undefined) {
      // UDP ASSOCIATE: each destination is re-checked per datagram (cache cleared above); the
      // association itself ends when the subject may no longer use the command at all.
      if (!subject.permits(req.command)) this.closeByPolicy(`${req.command} no longer allowed`, NO_MATCH);
      return;
    }
    const d = subject.evaluate({ ...req, destination: { ip: req.ip, domain: req.domain } });
    if (d.action !== 'Allow') this.closeByPolicy(`now denied (${d.reason})`, d);
    else if (this.hold !== undefined) {
      rewireLimits(this.ctx, this.hold, d);
      recheckQuota(this.ctx, this.hold, this.user, this.onQuotaBlock);
    }
  }

  /** A quota the session is charged to is used up (Block): close it like a TCP session. */
  private readonly onQuotaBlock = (): void => this.terminate('quota_exhausted');

  /** Shutdown: cut the session now. */
  terminate(reason: string): void {
    if (this.state === 'closed') return;
    this.outcome = reason;
    this.destroyAll();
  }

  private closeByPolicy(why: string, d?: Decision): void {
    this.outcome = 'closed_by_policy';
    if (d !== undefined) this.decision = d;
    this.ctx.metrics.sessionsTerminated.inc({ reason: 'policy' });
    this.log.info({ why, policy: d?.policy ?? undefined, rule: d?.rule ?? undefined, destination: this.destination, user: this.user ?? undefined }, 'session closed by policy change');
    this.destroyAll();
  }

  /** @internal client 'error' (through onClientError). */
  onSocketError(err: Error): void {
    if (this.state !== 'closed' && this.outcome === 'aborted') this.log.debug({ err: err.message }, 'client socket error');
  }


  /** @internal client 'close' (through onClientClose). */
  onSocketClose(): void {
    if (this.state === 'established' || this.state === 'closed') return; // the command's own close handling finishes
    this.abort?.abort();
    this.finish();
  }


  /** @internal handshake bytes (through onClientData). */
  onData(chunk: Buffer): void {
    if (this.state === 'closing') return; // discarding while we linger after a failure reply
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    if (this.buf.length > MAX_HANDSHAKE_BYTES) {
      this.outcome = 'bad_request';
      this.log.debug({ bytes: this.buf.length }, 'handshake too long');
      this.socket.destroy();
      return;
    }
    this.advance();
  }


  private consume(n: number): void {
    this.buf = n >= this.buf.length ? EMPTY : this.buf.subarray(n);
  }

  private advance(): void {
    for (;;) {
      switch (this.state) {
        case 'greeting': {
          const r = parseGreeting(this.buf);
          if (r.status === 'incomplete') return;
          if (r.status === 'error') return this.fail('bad_request', r.reply, r.message);
          this.consume(r.consumed);
          const offered = r.value.methods;
          const has = (m: number): boolean => offered.includes(m);
          if (has(Method.UserPass) && this.ctx.verifier.userCount > 0) {
            this.method = 'password';
            this.socket.write(encodeMethodSelection(Method.UserPass));
            this.state = 'auth';
          } else if (has(Method.NoAuth) && this.policy.anonymousAllowed(this.clientIp)) {
            this.socket.write(encodeMethodSelection(Method.NoAuth));
            this.state = 'request';
            this.rules = this.policy.forSubject({ user: null, groups: [], clientIp: this.clientIp });
          } else {
            this.ctx.metrics.authFailures.inc({ reason: 'no_acceptable_method' });
            return this.fail('auth_failed', encodeMethodSelection(Method.NoAcceptable), 'no acceptable method');
          }
          continue;
        }
        case 'auth': {
          const r = parseUserPass(this.buf);
          if (r.status === 'incomplete') return;
          if (r.status === 'error') return this.fail('bad_request', r.reply, r.message);
          this.consume(r.consumed);
          this.state = 'authenticating';
          const { username, password } = r.value;
          // Most logins are answered without a hash computation (plain or already verified):
          // then without a promise, and a request in the same read is handled in this loop.
          const known = this.ctx.verifier.verifyKnown(username, password);
          if (known !== undefined) {
            if (!this.authenticated(username, known)) return;
            continue;
          }
          this.ctx.verifier.verify(username, password).then(
            (res) => {
              if (this.state !== 'authenticating') return;
              if (this.authenticated(username, res)) this.advance();
            },
            (err: unknown) => {
              this.log.error({ err }, 'password verification failed');
              this.fail('error', encodeUserPassStatus(false), 'password verification error');
            },
          );
          return;
        }
        case 'request': {
          const r = parseRequest(this.buf);
          if (r.status === 'incomplete') return;
          if (r.status === 'error') {
            const code = r.reply !== undefined ? r.reply[1] : undefined;
            return this.fail(code !== undefined ? (REPLY_OUTCOME[code] ?? 'bad_request') : 'bad_request', r.reply, r.message);
          }
          this.consume(r.consumed);
          const { command, address, port } = r.value;
          this.setCommand(COMMAND_LABEL[command] ?? 'none');
          this.destination = formatDestination(address, port);
          this.state = 'connecting';
          this.socket.removeListener('data', onClientData);
          this.socket.pause();
          const early = this.buf; // bytes a client sent before our reply (optimistic data)
          this.buf = EMPTY;
          const run =
            command === Command.Connect
              ? this.connect(address, port, early)
              : command === Command.Bind
                ? this.bind(address, port)
                : this.associate(address, port);
          run.catch((err: unknown) => {
            this.log.error({ err }, 'command failed unexpectedly');
            this.fail('error', encodeReply(Reply.GeneralFailure), 'internal error');
          });
          return;
        }
        default:
          return;
      }
    }
  }

  /** The RFC 1929 answer; true when the session goes on to its request. */
  private authenticated(username: string, res: AuthResult): boolean {
    this.user = username;
    if (!res.ok) {
      this.ctx.metrics.authFailures.inc({ reason: res.reason });
      this.fail('auth_failed', encodeUserPassStatus(false), `authentication failed: ${res.reason}`);
      return false;
    }
    this.groups = res.user.spec.groups;
    this.rules = this.policy.forSubject({ user: username, groups: this.groups, clientIp: this.clientIp });
    this.socket.write(encodeUserPassStatus(true));
    this.state = 'request';
    return true;
  }

  private setCommand(label: CommandLabel): void {
    this.ctx.metrics.sessionCommand(this.commandLabel, label);
    this.commandLabel = label;
  }

  private subjectFor(policy: CompiledPolicy): SubjectRules | undefined {
    if (this.user === null) {
      return policy.anonymousAllowed(this.clientIp) ? policy.forSubject({ user: null, groups: [], clientIp: this.clientIp }) : undefined;
    }
    const u = policy.users.get(this.user);
    if (u === undefined || u.spec.disabled) return undefined;
    return policy.forSubject({ user: this.user, groups: u.spec.groups, clientIp: this.clientIp });
  }

  private decide(rules: SubjectRules, command: PolicyCommand, destination: { ip?: string; domain?: string }, port: number): Decision {
    const d = rules.evaluate({ command, destination, port });
    recordDecision(this.ctx.metrics, () => this.log, d);
    return d;
  }

  /** allowedAddresses for an address literal: no resolution, so no promise (the common case). */
  private allowedIp(rules: SubjectRules, command: PolicyCommand, host: string, port: number): { ips: string[]; domain?: string; inspect?: boolean } | undefined {
    const ip = normalizeIp(host) ?? host;
    if (command === 'Connect' && rules.inspects && rules.needsProtocol({ command, destination: { ip }, port })) return { ips: [ip], inspect: true };
    const d = this.decide(rules, command, { ip }, port);
    this.decision = d;
    if (d.action !== 'Allow') return this.fail('denied', encodeReply(Reply.NotAllowed), 'denied by policy');
    return { ips: [ip] };
  }

  /** Resolves a request address to candidate IPs allowed by policy; replies itself on failure. */
  private async allowedAddresses(command: PolicyCommand, address: SocksAddress, port: number): Promise<{ ips: string[]; domain?: string; inspect?: boolean } | undefined> {
    const rules = this.rules;
    if (rules === undefined) return this.fail('error', encodeReply(Reply.GeneralFailure), 'no rules for subject');
    // CONNECT under rules with `protocols`: the tunnel's first bytes may decide (inspectFirst).
    const inspects = command === 'Connect' && rules.inspects;
    const needs = (destination: { ip: string; domain?: string }): boolean => inspects && rules.needsProtocol({ command, destination, port });
    if (address.type !== 'domain') return this.allowedIp(rules, command, address.host, port);
    const domain = address.host.toLowerCase().replace(/\.$/, '');
    if (!inspects && !rules.mightAllowDomain(command, domain, port)) {
      this.decision = this.decide(rules, command, { domain }, port);
      return this.fail('denied', encodeReply(Reply.NotAllowed), 'denied by policy before resolution');
    }
    let resolved: string[];
    try {
      resolved = await this.ctx.dns.resolve(domain, this.ctx.options.connectTimeoutMs);
    } catch (err) {
      const reply = replyForError(err);
      return this.fail(REPLY_OUTCOME[reply] ?? 'error', encodeReply(reply), 'name resolution failed', err);
    }
    if (this.state !== 'connecting') return undefined;
    const ips: string[] = [];
    const candidates: string[] = [];
    for (const ip of resolved) {
      if (needs({ domain, ip })) {
        candidates.push(ip);
        continue;
      }
      const d = this.decide(rules, command, { domain, ip }, port);
      if (d.action === 'Allow') candidates.push(ip);
      if (d.action === 'Allow') {
        ips.push(ip);
        // The first allowing decision is the session's (its rule's limits apply), even after a denial.
        if (this.decision?.action !== 'Allow') this.decision = d;
      } else if (this.decision === undefined || this.decision.action !== 'Allow') {
        this.decision = d;
      }
    }
    if (candidates.length > ips.length) return { ips: candidates, domain, inspect: true };
    if (ips.length === 0) return this.fail('denied', encodeReply(Reply.NotAllowed), 'denied by policy after resolution');
    return { ips, domain };
  }

  private async connect(address: SocksAddress, port: number, early: Buffer): Promise<void> {
    const rules = this.rules;
    const allowed = address.type !== 'domain' && rules !== undefined ? this.allowedIp(rules, 'Connect', address.host, port) : await this.allowedAddresses('Connect', address, port);
    if (allowed === undefined) return;
    // Inspected tunnels: reply first, read the first bytes, decide; errors after the reply can only close.
    let first = early;
    let detected: { protocol?: Protocol; serverName?: string } = {};
    let clientEnded = false;
    if (allowed.inspect === true) {
      const r = await this.inspectFirst(allowed.ips, allowed.domain, port, early);
      if (r === undefined) return;
      allowed.ips = r.ips;
      first = r.peek.data;
      clientEnded = r.peek.ended === 'end' || r.peek.ended === 'close';
      detected = r.peek.serverName === undefined ? { protocol: r.peek.protocol } : { protocol: r.peek.protocol, serverName: r.peek.serverName };
    }
    const replied = allowed.inspect === true;
    const hold = this.decision === undefined ? undefined : await holdLimitsWithSlots(this.ctx, this.user, this.clientIp, this.decision, () => this.terminate('quota_exhausted'));
    if (hold !== undefined && 'rejected' in hold) {
      this.log.info({ why: hold.rejected, user: this.user ?? undefined }, 'session refused by limit');
      return void this.fail('limited', replied ? undefined : encodeReply(Reply.NotAllowed), hold.rejected);
    }
    // The session may have ended while waiting for a connection slot.
    if (this.state !== 'connecting') return void hold?.release();
    this.hold = hold;
    const cancel = new DialCanceller();
    this.abort = cancel;
    let target: Socket;
    try {
      target = await dialFirst(allowed.ips, port, this.ctx.options.connectTimeoutMs, cancel);
    } catch (err) {
      const reply = replyForError(err);
      this.fail(REPLY_OUTCOME[reply] ?? 'error', replied ? undefined : encodeReply(reply), 'connect failed', err);
      return;
    }
    if (this.state !== 'connecting') {
      target.destroy();
      return;
    }
    this.target = target;
    this.abort = undefined; // the dial is over: nothing left to cancel, nothing to keep
    // One candidate: that is the address dialled (already canonical; no getpeername(2) for it).
    const ip = allowed.ips.length === 1 ? allowed.ips[0] : (normalizeIp(target.remoteAddress ?? '') ?? allowed.ips[0]);
    this.recheckRequest = { command: 'Connect', ip, domain: allowed.domain, port, ...detected };
    if (!replied) this.socket.write(encodeReply(Reply.Succeeded, { host: target.localAddress ?? '0.0.0.0', port: target.localPort ?? 0 }));
    if (!replied) this.observeHandshake();
    this.outcome = 'success';
    this.state = 'established';
    const gates = hold?.relay;
    // The first bytes go through the up pump: counted, and charged to the gate before they are sent.
    const relay = startRelayTcp(this.socket, target, this.bytes, gates === undefined && first.length === 0 && !clientEnded ? undefined : { upGate: gates?.up, downGate: gates?.down, first, clientEnded });
    // A limit or quota that appears later (reload, run-time user rate) is attached to the running relay.
    if (hold !== undefined) hold.onGates = (g) => relay.setGates(g.up, g.down);
    relay.whenDone(this); // relayDone finishes; this async function ends here (nothing kept suspended)
    this.relayOwnsClient();
  }

  /**
   * Once the relay runs, its own 'error' and 'close' listeners handle the client socket, and the
   * session's would be no-ops (state 'established'): remove them (one listener per event, no
   * listener arrays held by every tunnel).
   */
  private relayOwnsClient(): void {
    this.socket.removeListener('error', onClientError);
    this.socket.removeListener('close', onClientClose);
  }

  /** @internal The tunnel's relay is over (both sockets closed). */
  relayDone(result: RelayResult): void {
    if (result.error !== undefined && this.outcome === 'success') this.outcome = 'reset';
    this.finish();
  }

  /**
   * The protocol stage: SOCKS success reply (BND 0.0.0.0:0: no upstream connection exists yet),
   * peek, then evaluate the candidates with the detected protocol and SNI / Host. Denied: the
   * connection is closed (no second reply exists in SOCKS5). Allowed: the caller dials.
   */
  private async inspectFirst(candidates: string[], domain: string | undefined, port: number, early: Buffer): Promise<{ ips: string[]; peek: import('../protocol').PeekResult } | undefined> {
    this.socket.write(encodeReply(Reply.Succeeded, { host: '0.0.0.0', port: 0 }));
    this.observeHandshake();
    const r = await inspectTunnel({ socket: this.socket, early, options: this.ctx.options, rules: this.rules as SubjectRules, candidates, domain, port, metrics: this.ctx.metrics, log: this.log });
    this.decision = r.decision;
    if (this.state !== 'connecting') return undefined;
    if (r.ips.length === 0) {
      this.log.info({ protocol: r.peek.protocol, serverName: r.peek.serverName, policy: r.decision.policy ?? undefined, rule: r.decision.rule ?? undefined }, 'tunnel denied after protocol detection');
      return this.fail('denied', undefined, `denied by policy after protocol detection (${r.peek.protocol})`);
    }
    return { ips: r.ips, peek: r.peek };
  }

  private async bind(address: SocksAddress, port: number): Promise<void> {
    const expected = await this.expectedPeer('Bind', address, port);
    if (expected === undefined) return;
    const abort = new AbortController();
    this.abort = abort;
    const rules = this.rules as SubjectRules;
    const result = await acceptBindPeer({
      localHost: this.socket.localAddress ?? '0.0.0.0',
      expectedIp: expected.ip,
      timeoutMs: this.ctx.options.bindTimeoutMs,
      signal: abort.signal,
      onListening: (host, p) => this.socket.write(encodeReply(Reply.Succeeded, { host, port: p })),
      admit: (ip, p) => {
        const d = this.decide(rules, 'Bind', { ip }, p);
        this.decision = d;
        return d.action === 'Allow';
      },
      log: this.log,
    });
    if (this.state !== 'connecting') {
      if (result.ok) result.peer.destroy();
      return;
    }
    if (!result.ok) {
      this.fail(REPLY_OUTCOME[result.reply] ?? 'error', encodeReply(result.reply), result.message);
      return;
    }
    const peer = result.peer;
    this.target = peer;
    // The limits stage, as for CONNECT: rule maxConnections, user and rule bandwidth, quota.
    const hold = this.decision === undefined ? undefined : await holdLimitsWithSlots(this.ctx, this.user, this.clientIp, this.decision, () => this.terminate('quota_exhausted'));
    if (hold !== undefined && 'rejected' in hold) {
      this.log.info({ why: hold.rejected, user: this.user ?? undefined }, 'session refused by limit');
      return void this.fail('limited', encodeReply(Reply.NotAllowed), hold.rejected);
    }
    if (this.state !== 'connecting') {
      peer.destroy();
      return void hold?.release();
    }
    this.hold = hold;
    const peerIp = normalizeIp(peer.remoteAddress ?? '') ?? '0.0.0.0';
    this.destination = formatDestination({ type: peerIp.includes(':') ? 'ipv6' : 'ipv4', host: peerIp }, peer.remotePort ?? 0);
    this.recheckRequest = { command: 'Bind', ip: peerIp, port: peer.remotePort ?? 0 };
    this.socket.write(encodeReply(Reply.Succeeded, { host: peerIp, port: peer.remotePort ?? 0 }));
    this.observeHandshake();
    this.outcome = 'success';
    this.state = 'established';
    const gates = hold?.relay;
    const relay = startRelayTcp(this.socket, peer, this.bytes, gates === undefined ? undefined : { upGate: gates.up, downGate: gates.down });
    if (hold !== undefined) hold.onGates = (g) => relay.setGates(g.up, g.down);
    relay.whenDone(this); // relayDone finishes; this async function ends here (nothing kept suspended)
    this.relayOwnsClient();
  }

  /** BIND / UDP ASSOCIATE name an expected peer or client address; all-zero means "any". */
  private async expectedPeer(command: PolicyCommand, address: SocksAddress, port: number): Promise<{ ip?: string } | undefined> {
    const rules = this.rules;
    if (rules === undefined) return this.fail('error', encodeReply(Reply.GeneralFailure), 'no rules for subject');
    if (!rules.permits(command)) {
      this.decision = { action: 'Deny', policy: null, rule: null, reason: 'no-match' };
      this.ctx.metrics.decision('deny', 'no-match');
      return this.fail('denied', encodeReply(Reply.NotAllowed), `${command} not allowed for this subject`);
    }
    if (address.type !== 'domain' && isUnspecified(address.host)) return {};
    if (command === 'UdpAssociate') return { ip: address.type === 'domain' ? undefined : normalizeIp(address.host) };
    const allowed = await this.allowedAddresses(command, address, port);
    if (allowed === undefined) return undefined;
    return { ip: allowed.ips[0] };
  }

  private async associate(address: SocksAddress, port: number): Promise<void> {
    const expected = await this.expectedPeer('UdpAssociate', address, port);
    if (expected === undefined) return;
    const rules = this.rules as SubjectRules;
    const relay = this.ctx.udpRelay;
    // The quota stage, as for CONNECT: refused with 0x02 when the user's quota is used up (Block).
    const quota = this.ctx.quota === undefined ? undefined : new UdpQuota({ quota: this.ctx.quota, user: this.user, metrics: this.ctx.metrics, eager: relay?.mode !== 'shared', onBlock: this.onQuotaBlock });
    const rejected = quota?.start();
    if (rejected !== undefined) {
      quota?.close();
      this.ctx.metrics.limitRejections.inc({ limit: 'quota' });
      this.log.info({ why: rejected, user: this.user ?? undefined }, 'session refused by limit');
      return void this.fail('limited', encodeReply(Reply.NotAllowed), rejected);
    }
    let assoc: UdpAssociationHandle;
    try {
      const requested = { host: address.host, port };
      assoc = relay !== undefined
        ? await relay.open({ sessionId: this.id, user: this.user, clientIp: this.clientIp, clientPort: port, expected: requested, rules, counters: this.bytes, onDecision: (d) => (this.decision = d), log: this.log, quota })
        : await UdpAssociation.open({
        ctx: this.ctx,
        log: this.log,
        bindHost: this.socket.localAddress ?? '0.0.0.0',
        clientIp: this.clientIp,
        clientPort: port,
        rules,
        counters: this.bytes,
        gatesFor: (d) => this.ctx.limits.gatesFor(limitUserKey(this.user, this.clientIp), ruleKeyOf(d), d.limits),
        onDecision: (d) => (this.decision = d),
        quota,
      });
    } catch (err) {
      quota?.close();
      this.fail('error', encodeReply(Reply.GeneralFailure), 'could not open UDP relay', err);
      return;
    }
    if (this.state !== 'connecting') {
      assoc.close();
      return;
    }
    this.udp = assoc;
    this.recheckRequest = { command: 'UdpAssociate', port: 0 };
    const bound = assoc.address();
    this.destination = `udp:${bound.host}:${bound.port}`;
    this.socket.write(encodeReply(Reply.Succeeded, bound));
    this.observeHandshake();
    this.outcome = 'success';
    this.state = 'established';
    // The association lives as long as its TCP connection; bytes on it are ignored.
    const end = (): void => {
      assoc.close();
      this.socket.destroy();
      this.finish();
    };
    this.socket.on('data', () => undefined);
    this.socket.once('end', end);
    this.socket.once('close', end);
    this.cleanup = () => assoc.close();
    this.socket.resume();
  }

  private observeHandshake(): void {
    this.ctx.metrics.handshakeDone(this.method, (Date.now() - this.startedAt) / 1000);
  }

  /** Sends a final reply (if any), then closes gracefully and finishes the session. */
  private fail(outcome: string, reply: Buffer | undefined, message: string, err?: unknown): undefined {
    if (this.state === 'closing' || this.state === 'closed') return undefined;
    this.outcome = outcome;
    this.log.debug({ outcome, why: message, err: err instanceof Error ? err.message : undefined }, 'session failed');
    this.state = 'closing';
    this.lingerUntil = Date.now() + LINGER_MS;
    this.socket.removeListener('data', onClientData);
    this.socket.on('data', () => undefined); // drain and discard so our FIN is not turned into a RST
    if (reply !== undefined) this.socket.end(reply);
    else this.socket.end();
    this.socket.resume();
    return undefined;
  }

  private destroyAll(): void {
    this.abort?.abort();
    this.cleanup?.();
    this.target?.destroy();
    this.socket.destroy();
    if (this.state !== 'established') this.finish();
  }

  private finish(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.hold?.release();
    this.cleanup?.();
    this.socket.destroy();
    this.target?.destroy();
    const m = this.ctx.metrics;
    m.sessionClosed(this.commandLabel, this.outcome);
    m.addClosedBytes(this.bytes.up, this.bytes.down, this.user);
    this.ctx.onSessionEnd(this);
    if (!this.ctx.accessLog.isLevelEnabled('info')) return; // no line to build (e.g. --log-level warn)
    const d = this.decision;
    this.ctx.accessLog.info(
      {
        session: this.id,
        user: this.user ?? undefined,
        client: `${this.clientIp}:${this.clientPort}`,
        command: this.commandLabel,
        destination: this.destination || undefined,
        policy: d?.policy ?? undefined,
        rule: d?.rule ?? undefined,
        protocol: this.recheckRequest?.protocol,
        serverName: this.recheckRequest?.serverName,
        bytesUp: this.bytes.up,
        bytesDown: this.bytes.down,
        durationMs: Date.now() - this.startedAt,
        outcome: this.outcome,
      },
      'session',
    );
  }
}

function formatDestination(a: SocksAddress, port: number): string {
  return a.type === 'ipv6' ? `[${a.host}]:${port}` : `${a.host}:${port}`;
}

function isUnspecified(host: string): boolean {
  const n = normalizeIp(host);
  return n === '0.0.0.0' || n === '::';
}
