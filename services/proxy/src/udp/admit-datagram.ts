import type { DirectionGate } from '../limits';
import type { ByteCounters } from '../relay/tcp-relay';
import type { ProxyContext } from '../server/proxy-context';
import type { UdpQuota } from './udp-quota';

/**
 * The limits stage of every UDP relay path, once per datagram (in-process association, relay
 * port as owner or on another proxy's behalf; both directions). A datagram cannot wait like a
 * TCP read: over the rule or user rate it is dropped and counted as rate_limited (policing);
 * without a quota grant it is dropped (UdpQuota counts why). An admitted datagram is charged to
 * the quota and the rate gate, and counted in the session's bytes and the datagram metric.
 */
export function admitDatagram(ctx: ProxyContext, counters: ByteCounters, quota: UdpQuota | undefined, gate: DirectionGate | undefined, dir: 'up' | 'down', bytes: number): boolean {
  if (gate !== undefined && gate.overLimit()) {
    ctx.metrics.udpRateLimited.inc();
    return false;
  }
  if (quota !== undefined) {
    if (!quota.admit(dir)) return false;
    quota.charge(dir, bytes);
  }
  gate?.consume(bytes);
  counters[dir] += bytes;
  (dir === 'up' ? ctx.metrics.udpUp : ctx.metrics.udpDown).inc();
  return true;
}
