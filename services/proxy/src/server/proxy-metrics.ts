import { Counter, Gauge, Histogram, type Registry } from '@sockscale/common';
import { HistogramTally } from './histogram-tally';
import { PairTally } from './metric-tally';

/** Label value for a SOCKS command in metrics and logs. */
export type CommandLabel = 'connect' | 'bind' | 'udp_associate' | 'none';

const COMMAND_LABELS: readonly CommandLabel[] = ['connect', 'bind', 'udp_associate', 'none'];

/** What happened to a UDP datagram of a quota subject: relayed and charged, or dropped (why). */
export type UdpQuotaOutcome = 'charged' | 'no_grant' | 'throttled' | 'blocked';
const UDP_QUOTA_OUTCOMES: readonly UdpQuotaOutcome[] = ['charged', 'no_grant', 'throttled', 'blocked'];

/** `user` label of sockscale_proxy_user_bytes_total for sessions without authentication (SocksUser names cannot start with "_"). */
export const ANONYMOUS_USER_LABEL = '_anonymous';
/** `user` label that collects every user beyond the first USER_BYTES_MAX_USERS seen by this process. */
export const OTHER_USERS_LABEL = '_other';
/** Distinct user names with their own sockscale_proxy_user_bytes_total series per process. */
export const USER_BYTES_MAX_USERS = 1000;

/** Visits the live byte counts of open sessions with their user (null = anonymous). */
export type LiveUserBytes = (visit: (user: string | null, up: number, down: number) => void) => void;

/**
 * The data plane's metrics. Labels are bounded enums (command, result, reason, direction);
 * never client addresses or hostnames. The one exception is `user` on
 * sockscale_proxy_user_bytes_total: user names are bounded by the SocksUser objects an operator
 * creates (a client cannot mint one), and per process by a cap (USER_BYTES_MAX_USERS): the
 * first users that relay bytes keep their series until the process exits, later ones are
 * folded into user="_other"; anonymous sessions count under user="_anonymous".
 */
export class ProxyMetrics {
  readonly sessionsActive: Gauge<'command'>;
  readonly sessionsTotal: Counter<'command' | 'result'>;
  readonly bytesTotal: Counter<'direction'>;
  readonly authFailures: Counter<'reason'>;
  readonly handshakeSeconds: Histogram<'method'>;
  readonly udpDatagrams: Counter<'direction'>;
  readonly udpDropped: Counter<'reason'>;
  /** Per-datagram counting: plain additions, published to udpDatagrams when scraped. */
  readonly udpUp: { inc(value?: number): void };
  readonly udpDown: { inc(value?: number): void };
  readonly policyDecisions: Counter<'action' | 'reason'>;
  readonly connectionsRejected: Counter<'reason'>;
  readonly policyVersion: Gauge;
  readonly policyReloads: Counter<'result'>;
  readonly sessionsTerminated: Counter<'reason'>;
  readonly shadowHits: Counter<'policy' | 'rule' | 'action' | 'differs'>;
  readonly protocolDetections: Counter<'protocol' | 'ended'>;
  readonly limitRejections: Counter<'limit'>;
  readonly udpRateLimited: { inc(value?: number): void };
  /** UDP datagrams of quota subjects by direction and outcome (see UdpQuota); children bound once. */
  readonly udpQuota: Readonly<Record<'up' | 'down', Readonly<Record<UdpQuotaOutcome, { inc(value?: number): void }>>>>;
  /** udpDropped{reason="quota"}: a quota drop also counts as a drop. */
  readonly udpQuotaDropped: { inc(value?: number): void };

  /** Per-session handshake durations, added to handshakeSeconds when scraped (handshakeDone). */
  private readonly handshakes: HistogramTally<'method'>;
  /** Bytes of finished sessions; live sessions are added at scrape time. */
  private readonly closedBytes = { up: 0, down: 0 };
  /** Bytes of finished sessions by `user` label (a slot once given is kept, so the counters never go down). */
  private readonly userClosed = new Map<string, { up: number; down: number }>();
  private namedUsers = 0;
  readonly userBytes: Counter<'user' | 'direction'>;
  /**
   * Hot-path tallies (per session / per datagram), published when /metrics is scraped so a
   * session pays no label hashing: see sessionOpened, sessionCommand, sessionClosed, decision.
   */
  private readonly active: Record<CommandLabel, number> = { connect: 0, bind: 0, udp_associate: 0, none: 0 };
  private readonly finished = new PairTally();
  private readonly decisions = new PairTally();
  /** UDP datagrams since the last scrape (udpUp / udpDown). */
  private readonly udpCounts = { up: 0, down: 0 };

  /**
   * `liveBytes`: open sessions' byte counts (sockscale_proxy_bytes_total); `liveUserBytes`: the
   * same by user (sockscale_proxy_user_bytes_total). Both are read only when scraped.
   */
  constructor(
    registry: Registry,
    liveBytes: () => { up: number; down: number },
    liveUserBytes: LiveUserBytes = () => undefined,
    private readonly maxUsers = USER_BYTES_MAX_USERS,
  ) {
    const registers = [registry];
    const closed = this.closedBytes;
    const active = this.active;
    const finished = this.finished;
    const decisions = this.decisions;
    this.sessionsActive = new Gauge({
      name: 'sockscale_proxy_sessions_active',
      help: 'Open SOCKS sessions by command (none = still in handshake).',
      labelNames: ['command'],
      registers,
      collect() {
        for (const command of COMMAND_LABELS) this.set({ command }, active[command]);
      },
    });
    this.sessionsTotal = new Counter({
      name: 'sockscale_proxy_sessions_total',
      help: 'Finished SOCKS sessions by command and result.',
      labelNames: ['command', 'result'],
      registers,
      collect() {
        finished.flush((command, result, n) => this.inc({ command, result }, n));
      },
    });
    this.bytesTotal = new Counter({
      name: 'sockscale_proxy_bytes_total',
      help: 'Payload bytes relayed (TCP and UDP); direction up = client to destination, down = destination to client.',
      labelNames: ['direction'],
      registers,
      collect() {
        const live = liveBytes();
        this.reset();
        this.inc({ direction: 'up' }, closed.up + live.up);
        this.inc({ direction: 'down' }, closed.down + live.down);
      },
    });
    const userClosed = this.userClosed;
    const slotOf = (user: string | null): { up: number; down: number } => this.userSlot(user);
    this.userBytes = new Counter({
      name: 'sockscale_proxy_user_bytes_total',
      help: `Payload bytes relayed (TCP and UDP) by authenticated user and direction; user="${ANONYMOUS_USER_LABEL}" for anonymous sessions, user="${OTHER_USERS_LABEL}" for users beyond the first ${maxUsers} of this process.`,
      labelNames: ['user', 'direction'],
      registers,
      collect() {
        const totals = new Map<{ up: number; down: number }, { up: number; down: number }>();
        for (const slot of userClosed.values()) totals.set(slot, { up: slot.up, down: slot.down });
        liveUserBytes((user, up, down) => {
          if (up === 0 && down === 0) return;
          const slot = slotOf(user);
          const t = totals.get(slot) ?? { up: slot.up, down: slot.down };
          t.up += up;
          t.down += down;
          totals.set(slot, t);
        });
        this.reset();
        for (const [label, slot] of userClosed) {
          const t = totals.get(slot) ?? slot;
          this.inc({ user: label, direction: 'up' }, t.up);
          this.inc({ user: label, direction: 'down' }, t.down);
        }
      },
    });
    this.authFailures = new Counter({ name: 'sockscale_proxy_auth_failures_total', help: 'Failed authentications by reason.', labelNames: ['reason'], registers });
    const handshakeBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    const tally: { handshakes?: HistogramTally<'method'> } = {};
    this.handshakeSeconds = new Histogram({
      name: 'sockscale_proxy_handshake_duration_seconds',
      help: 'Time from accept to the SOCKS reply (greeting, auth, request, policy, connect).',
      labelNames: ['method'],
      buckets: handshakeBuckets,
      registers,
      collect() {
        tally.handshakes?.flush();
      },
    });
    this.handshakes = tally.handshakes = new HistogramTally(this.handshakeSeconds, 'method', handshakeBuckets);
    const udp = this.udpCounts;
    this.udpDatagrams = new Counter({
      name: 'sockscale_proxy_udp_datagrams_total',
      help: 'UDP datagrams relayed by direction.',
      labelNames: ['direction'],
      registers,
      collect() {
        this.inc({ direction: 'up' }, udp.up);
        this.inc({ direction: 'down' }, udp.down);
        udp.up = 0;
        udp.down = 0;
      },
    });
    this.udpDropped = new Counter({ name: 'sockscale_proxy_udp_dropped_total', help: 'UDP datagrams dropped, by reason (fragmented, stranger, malformed, denied, unsolicited, resolve_failed, too_large, send_failed, rate_limited, quota).', labelNames: ['reason'], registers });
    this.policyDecisions = new Counter({
      name: 'sockscale_proxy_policy_decisions_total',
      help: 'Policy decisions by action and reason.',
      labelNames: ['action', 'reason'],
      registers,
      collect() {
        decisions.flush((action, reason, n) => this.inc({ action, reason }, n));
      },
    });
    this.connectionsRejected = new Counter({ name: 'sockscale_proxy_connections_rejected_total', help: 'Client connections closed before the handshake, by reason (max_connections, draining).', labelNames: ['reason'], registers });
    this.policyVersion = new Gauge({ name: 'sockscale_proxy_policy_version', help: 'Version of the policy snapshot in force.', registers });
    this.policyReloads = new Counter({ name: 'sockscale_proxy_policy_updates_total', help: 'Policy snapshots offered to the proxy by result (applied, rejected).', labelNames: ['result'], registers });
    this.sessionsTerminated = new Counter({ name: 'sockscale_sessions_terminated_total', help: 'Open sessions ended by the proxy, by reason (policy = a new policy snapshot no longer allows them).', labelNames: ['reason'], registers });
    this.sessionsTerminated.inc({ reason: 'policy' }, 0);
    this.shadowHits = new Counter({
      name: 'sockscale_proxy_shadow_rule_hits_total',
      help: 'Decisions a Shadow rule would have made (it matched before the deciding rule), by policy, rule, the action it would have taken, and whether that differs from the enforced one.',
      labelNames: ['policy', 'rule', 'action', 'differs'],
      registers,
    });
    this.protocolDetections = new Counter({
      name: 'sockscale_proxy_protocol_detections_total',
      help: 'CONNECT tunnels whose first bytes were inspected, by detected protocol (tls, http, ssh, unknown) and how the peek ended (classified, limit, timeout, end, close).',
      labelNames: ['protocol', 'ended'],
      registers,
    });
    this.limitRejections = new Counter({ name: 'sockscale_proxy_limit_rejections_total', help: 'Requests refused (0x02) by a rule limit, by limit (max_connections).', labelNames: ['limit'], registers });
    this.limitRejections.inc({ limit: 'max_connections' }, 0);
    this.udpRateLimited = this.udpDropped.labels('rate_limited');
    this.udpQuotaDropped = this.udpDropped.labels('quota');
    const udpQuota = new Counter({
      name: 'sockscale_proxy_udp_quota_datagrams_total',
      help: 'UDP datagrams of sessions under a SocksQuota by direction and outcome: charged (relayed against a grant), no_grant, throttled, blocked (dropped: a datagram cannot wait for a grant).',
      labelNames: ['direction', 'outcome'],
      registers,
    });
    const bind = (direction: 'up' | 'down'): Record<UdpQuotaOutcome, { inc(value?: number): void }> => {
      const out = {} as Record<UdpQuotaOutcome, { inc(value?: number): void }>;
      for (const outcome of UDP_QUOTA_OUTCOMES) out[outcome] = udpQuota.labels(direction, outcome);
      for (const outcome of UDP_QUOTA_OUTCOMES) out[outcome].inc(0);
      return out;
    };
    this.udpQuota = { up: bind('up'), down: bind('down') };
    for (const command of COMMAND_LABELS) this.sessionsActive.set({ command }, 0);
    this.udpUp = { inc: (n = 1) => void (udp.up += n) };
    this.udpDown = { inc: (n = 1) => void (udp.down += n) };
    this.udpDatagrams.inc({ direction: 'up' }, 0);
    this.udpDatagrams.inc({ direction: 'down' }, 0);
  }

  /** A client connection became a session (handshake running: command 'none'). */
  sessionOpened(): void {
    this.active.none++;
  }

  /** The session's request named its command. */
  sessionCommand(from: CommandLabel, to: CommandLabel): void {
    this.active[from]--;
    this.active[to]++;
  }

  /** The session ended with `result`. */
  sessionClosed(command: CommandLabel, result: string): void {
    this.active[command]--;
    this.finished.add(command, result);
  }

  /** A policy decision (sockscale_proxy_policy_decisions_total). */
  decision(action: 'allow' | 'deny', reason: string): void {
    this.decisions.add(action, reason);
  }

  /** A session's handshake took `seconds` (sockscale_proxy_handshake_duration_seconds). */
  handshakeDone(method: 'none' | 'password', seconds: number): void {
    this.handshakes.observe(method, seconds);
  }

  /** A session (or on-behalf UDP relay) of `user` (null = anonymous) ended having relayed these bytes. */
  addClosedBytes(up: number, down: number, user: string | null): void {
    this.closedBytes.up += up;
    this.closedBytes.down += down;
    if (up === 0 && down === 0) return;
    const slot = this.userSlot(user);
    slot.up += up;
    slot.down += down;
  }

  /** The tally a user's bytes go to: its own while fewer than maxUsers names have one, else _other. */
  private userSlot(user: string | null): { up: number; down: number } {
    let label = user ?? ANONYMOUS_USER_LABEL;
    let slot = this.userClosed.get(label);
    if (slot !== undefined) return slot;
    if (user !== null) {
      if (this.namedUsers >= this.maxUsers) {
        label = OTHER_USERS_LABEL;
        slot = this.userClosed.get(label);
        if (slot !== undefined) return slot;
      } else {
        this.namedUsers++;
      }
    }
    slot = { up: 0, down: 0 };
    this.userClosed.set(label, slot);
    return slot;
  }
}
