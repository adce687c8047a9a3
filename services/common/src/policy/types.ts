import type { Weekday } from './time-window';

/**
 * The policy object schema: one schema, three carriers (CRD specs, the YAML file of embedded
 * mode, the snapshot the control plane sends). These are the *validated, defaulted* shapes;
 * `validateObject` turns untrusted input into them.
 */
export const API_GROUP = 'sockscale.io';
export const API_VERSION = 'sockscale.io/v1alpha1';

export const COMMANDS = ['Connect', 'Bind', 'UdpAssociate'] as const;
export type Command = (typeof COMMANDS)[number];

export const RULE_ACTIONS = ['Allow', 'Deny'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

/** Protocols a CONNECT tunnel can be classified as (services/proxy/src/protocol). */
export const PROTOCOLS = ['tls', 'http', 'ssh', 'unknown'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** Enforce: the rule decides. Shadow: the rule is logged and counted when it would have decided, never enforced. */
export const RULE_MODES = ['Enforce', 'Shadow'] as const;
export type RuleMode = (typeof RULE_MODES)[number];

export const POLICY_KINDS = ['SocksUser', 'SocksPolicy', 'SocksQuota'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  generation?: number;
}

/** Exactly one of `value` (plain text, embedded mode only) or `hash` (see password/). */
export interface PasswordSpec {
  value?: string;
  hash?: string;
}

/** A key in a Kubernetes Secret in the object's namespace (`passwordSecretRef`). */
export interface SecretKeyRef {
  name: string;
  key: string;
}

export interface SocksUserSpec {
  groups: string[];
  /** Empty (`{}`) when the password comes from `passwordSecretRef` instead. */
  password: PasswordSpec;
  /** Cluster mode only: the password is read from this Secret key (never plain text in the object). */
  passwordSecretRef?: SecretKeyRef;
  /** A disabled user cannot log in; defaults to false. */
  disabled: boolean;
}

export interface Subjects {
  users: string[];
  groups: string[];
  anonymous: boolean;
  /** Empty = any client address. */
  clientCIDRs: string[];
}

export interface Rule {
  /** Defaults to `rule-<index>` when omitted. */
  name: string;
  action: RuleAction;
  /** Defaults to all commands. */
  commands: Command[];
  /**
   * CIDRs (v4/v6), exact domains, `*.suffix` wildcards. Empty = any destination (special
   * ranges — loopback, private, link-local, metadata — still need a rule naming them).
   */
  destinations: string[];
  /** Port numbers or `lo-hi` ranges, as strings. Empty = any port. */
  ports: string[];
  /**
   * Detected protocols of a CONNECT tunnel (omitted = any; the tunnel is not inspected). A rule
   * with protocols matches only CONNECT, and its domain entries also match the name the client
   * sent inside the protocol (TLS SNI, HTTP Host).
   */
  protocols?: Protocol[];
  /** Omitted = always. The rule matches while any window is active. */
  timeWindows?: TimeWindow[];
  /** Omitted = Enforce. */
  mode?: RuleMode;
  /** Per-user limits for the sessions this rule allows. */
  limits?: RuleLimits;
}

export interface TimeWindow {
  /** Days the window starts on (Mon..Sun); defaults to every day. */
  days: Weekday[];
  /** "HH:MM" wall-clock start, inclusive. */
  start: string;
  /** "HH:MM" wall-clock end, exclusive ("24:00" allowed); before `start` = wraps past midnight. */
  end: string;
  /** IANA time zone; defaults to "UTC". */
  timeZone: string;
}

/** Bytes per second (validated quantities are whole numbers). */
export interface BandwidthLimits {
  /** Client to destination. */
  up?: number;
  /** Destination to client. */
  down?: number;
  /** Both directions together. */
  total?: number;
}

export interface RuleLimits {
  /** Per user, shared by all of that user's sessions allowed by this rule. */
  bandwidth?: BandwidthLimits;
  /** Concurrent sessions per user allowed by this rule. */
  maxConnections?: number;
}

export interface SocksPolicySpec {
  /** Lower runs first; ties broken by name. Defaults to 1000. */
  priority: number;
  subjects: Subjects;
  rules: Rule[];
}

export interface SocksUser {
  apiVersion: typeof API_VERSION;
  kind: 'SocksUser';
  metadata: ObjectMeta;
  spec: SocksUserSpec;
}

export interface SocksPolicy {
  apiVersion: typeof API_VERSION;
  kind: 'SocksPolicy';
  metadata: ObjectMeta;
  spec: SocksPolicySpec;
}

export interface SocksQuota {
  apiVersion: typeof API_VERSION;
  kind: 'SocksQuota';
  metadata: ObjectMeta;
  spec: SocksQuotaSpec;
}

export type PolicyObject = SocksUser | SocksPolicy | SocksQuota;

/** A complete, validated set of objects, as the proxy receives it. */
export interface PolicySnapshot {
  /** Monotonic version (etcd revision in a cluster; a counter in embedded mode). */
  version: number;
  users: SocksUser[];
  policies: SocksPolicy[];
  /** Cluster-wide quotas (sorted by name); omitted = none. */
  quotas?: SocksQuota[];
}

export function objectKey(o: { kind: string; metadata: { name: string } }): string {
  return `${o.kind}/${o.metadata.name}`;
}

/** Calendar periods (in `timeZone`) or a fixed number of days (`Days` with `days`). */
export const QUOTA_PERIODS = ['Hourly', 'Daily', 'Weekly', 'Monthly', 'Days'] as const;
export type QuotaPeriodType = (typeof QUOTA_PERIODS)[number];

export const QUOTA_DIRECTIONS = ['Total', 'Up', 'Down'] as const;
export type QuotaDirection = (typeof QUOTA_DIRECTIONS)[number];

export const QUOTA_ACTIONS = ['Block', 'Throttle'] as const;
export type QuotaAction = (typeof QUOTA_ACTIONS)[number];

/**
 * Group scope: `PerMember` (each member of the group has its own ledger with the full limit)
 * or `Shared` (all members draw from one ledger).
 */
export const QUOTA_GROUP_SCOPES = ['PerMember', 'Shared'] as const;
export type QuotaGroupScope = (typeof QUOTA_GROUP_SCOPES)[number];

/** Exactly one of `user` or `group`. */
export interface QuotaSubject {
  user?: string;
  group?: string;
  /** Groups only; defaults to PerMember. */
  scope?: QuotaGroupScope;
}

export interface QuotaPeriod {
  type: QuotaPeriodType;
  /** `Days` only: the period length in days (1-3660). */
  days?: number;
  /** IANA time zone of calendar boundaries (and of `Days` periods' midnight); default "UTC". */
  timeZone: string;
  /** Weekly periods start on this day; default Mon. */
  weekStart?: Weekday;
  /** `Days` only: the first day of the first period, "YYYY-MM-DD" (default 1970-01-01). */
  anchor?: string;
}

export interface QuotaExhaustion {
  /** Block: new sessions get 0x02 and open ones are closed. Throttle: relay on at `rate`. */
  action: QuotaAction;
  /** Throttle only: bytes/s per subject on each proxy once the quota is used up. */
  rate?: number;
}

export interface SocksQuotaSpec {
  subject: QuotaSubject;
  /** Bytes per period (omitted = no byte quota). */
  bytes?: number;
  /** Required with `bytes`. */
  period?: QuotaPeriod;
  /** Which bytes count; default Total (both directions). */
  direction: QuotaDirection;
  /** What happens when `bytes` is used up; default Block. */
  onExhausted: QuotaExhaustion;
  /** Bytes a proxy may relay for one subject while the control plane is unreachable; default 0. */
  offlineAllowance: number;
  /** Cluster-wide bytes/s for the subject, split among proxies by demand. */
  bandwidth?: number;
  /** Cluster-wide concurrent sessions of the subject. */
  maxConnections?: number;
}
