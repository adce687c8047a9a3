import { Counter, Gauge, Histogram, type Registry } from '@sockscale/common';

/** Label value for a SOCKS command in metrics and logs. */
export type CommandLabel = 'connect' | 'bind' | 'udp_associate' | 'none';

/**
 * The data plane's metrics. Labels are bounded enums (command, result, reason, direction);
 * never client addresses, user names or hostnames.
 */
export class ProxyMetrics {
  readonly sessionsActive: Gauge<'command'>;
  readonly sessionsTotal: Counter<'command' | 'result'>;
  readonly bytesTotal: Counter<'direction'>;
  readonly authFailures: Counter<'reason'>;
  readonly handshakeSeconds: Histogram<'method'>;
  readonly udpDatagrams: Counter<'direction'>;
  readonly udpDropped: Counter<'reason'>;
  /** Pre-bound children for the per-datagram path (no label hashing per packet). */
  readonly udpUp: { inc(value?: number): void };
  readonly udpDown: { inc(value?: number): void };
  readonly policyDecisions: Counter<'action' | 'reason'>;
  readonly connectionsRejected: Counter<'reason'>;
  readonly policyVersion: Gauge;
  readonly policyReloads: Counter<'result'>;
  readonly sessionsClosedByPolicy: Counter;

  /** Bytes of finished sessions; live sessions are added at scrape time. */
  private readonly closedBytes = { up: 0, down: 0 };

  constructor(registry: Registry, liveBytes: () => { up: number; down: number }) {
    const registers = [registry];
    const closed = this.closedBytes;
    this.sessionsActive = new Gauge({ name: 'sockscale_proxy_sessions_active', help: 'Open SOCKS sessions by command (none = still in handshake).', labelNames: ['command'], registers });
    this.sessionsTotal = new Counter({ name: 'sockscale_proxy_sessions_total', help: 'Finished SOCKS sessions by command and result.', labelNames: ['command', 'result'], registers });
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
    this.authFailures = new Counter({ name: 'sockscale_proxy_auth_failures_total', help: 'Failed authentications by reason.', labelNames: ['reason'], registers });
    this.handshakeSeconds = new Histogram({
      name: 'sockscale_proxy_handshake_duration_seconds',
      help: 'Time from accept to the SOCKS reply (greeting, auth, request, policy, connect).',
      labelNames: ['method'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.udpDatagrams = new Counter({ name: 'sockscale_proxy_udp_datagrams_total', help: 'UDP datagrams relayed by direction.', labelNames: ['direction'], registers });
    this.udpDropped = new Counter({ name: 'sockscale_proxy_udp_dropped_total', help: 'UDP datagrams dropped, by reason (fragmented, stranger, malformed, denied, unsolicited, resolve_failed, too_large, send_failed).', labelNames: ['reason'], registers });
    this.policyDecisions = new Counter({ name: 'sockscale_proxy_policy_decisions_total', help: 'Policy decisions by action and reason.', labelNames: ['action', 'reason'], registers });
    this.connectionsRejected = new Counter({ name: 'sockscale_proxy_connections_rejected_total', help: 'Client connections closed before the handshake, by reason (max_connections, draining).', labelNames: ['reason'], registers });
    this.policyVersion = new Gauge({ name: 'sockscale_proxy_policy_version', help: 'Version of the policy snapshot in force.', registers });
    this.policyReloads = new Counter({ name: 'sockscale_proxy_policy_updates_total', help: 'Policy snapshots offered to the proxy by result (applied, rejected).', labelNames: ['result'], registers });
    this.sessionsClosedByPolicy = new Counter({ name: 'sockscale_proxy_sessions_closed_by_policy_total', help: 'Open sessions closed because a new policy no longer allows them.', registers });
    for (const command of ['connect', 'bind', 'udp_associate', 'none']) this.sessionsActive.set({ command }, 0);
    this.udpUp = this.udpDatagrams.labels('up');
    this.udpDown = this.udpDatagrams.labels('down');
    this.udpUp.inc(0);
    this.udpDown.inc(0);
  }

  addClosedBytes(up: number, down: number): void {
    this.closedBytes.up += up;
    this.closedBytes.down += down;
  }
}
