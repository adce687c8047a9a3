import type { Logger } from '@sockscale/common';
import type { LimitRegistry } from '../limits';
import type { QuotaManager } from '../quota';
import type { CompiledPolicy } from '../policy';
import type { DnsCache } from '../relay/dns-cache';
import type { PasswordVerifier } from '../stages/password-verifier';
import type { ProxyMetrics } from './proxy-metrics';
import type { ProxyOptions } from './proxy-options';
import type { Session } from './session';
import type { UdpRelayPort } from '../udp/relay-port';

/** What a session needs from its server: shared, long-lived parts only. */
export interface ProxyContext {
  readonly options: ProxyOptions;
  readonly log: Logger;
  /** Access log: one line per finished session. */
  readonly accessLog: Logger;
  readonly metrics: ProxyMetrics;
  readonly verifier: PasswordVerifier;
  readonly dns: DnsCache;
  /** Bandwidth buckets and connection slots shared by all sessions of this process. */
  readonly limits: LimitRegistry;
  /** Cluster quota grants (SocksQuota); undefined when no ledger is attached. */
  quota?: QuotaManager | undefined;
  /** The policy in force right now. */
  policy(): CompiledPolicy;
  onSessionEnd(s: Session): void;
  /** The relay port (per-pod/shared UDP modes); absent = one socket per association. */
  udpRelay?: UdpRelayPort;
}
