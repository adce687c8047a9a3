import type { Socket } from 'node:net';
import type { Logger } from '@sockscale/common';
import { NO_MATCH, type Decision, type SubjectRules } from '../policy';
import { peekProtocol, type PeekResult } from '../protocol';
import type { ProxyMetrics } from '../server/proxy-metrics';
import type { ProxyOptions } from '../server/proxy-options';
import { recordDecision } from './record-decision';

export interface InspectedTunnel {
  peek: PeekResult;
  /** Candidate addresses the decision allows, in the order given. */
  ips: string[];
  /** The decision for the first allowed address, or the last denial. */
  decision: Decision;
}

/**
 * The protocol stage of a CONNECT whose decision depends on `protocols`. The caller has already
 * sent the SOCKS success reply (a client sends nothing before it); this reads the first bytes
 * (bounded by options.protocolPeekBytes / protocolPeekTimeoutMs; a server-first protocol gets
 * `unknown` at the deadline), classifies them, and evaluates every candidate address again with
 * the protocol and the SNI / Host name. No upstream connection exists yet.
 */
export async function inspectTunnel(o: {
  socket: Socket;
  early: Buffer;
  options: ProxyOptions;
  rules: SubjectRules;
  candidates: readonly string[];
  domain?: string;
  port: number;
  metrics: ProxyMetrics;
  log: Logger;
}): Promise<InspectedTunnel> {
  const peek = await peekProtocol(o.socket, o.early, { maxBytes: o.options.protocolPeekBytes, timeoutMs: o.options.protocolPeekTimeoutMs });
  o.metrics.protocolDetections.inc({ protocol: peek.protocol, ended: peek.ended });
  const ips: string[] = [];
  let decision: Decision = NO_MATCH;
  let allowed: Decision | undefined;
  for (const ip of o.candidates) {
    const d = o.rules.evaluate({
      command: 'Connect',
      destination: o.domain === undefined ? { ip } : { ip, domain: o.domain },
      port: o.port,
      protocol: peek.protocol,
      ...(peek.serverName !== undefined ? { serverName: peek.serverName } : {}),
    });
    recordDecision(o.metrics, o.log, d);
    if (d.action === 'Allow') {
      ips.push(ip);
      allowed ??= d;
    } else {
      decision = d;
    }
  }
  return { peek, ips, decision: allowed ?? decision };
}
