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

export const POLICY_KINDS = ['SocksUser', 'SocksPolicy'] as const;
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

export interface SocksUserSpec {
  groups: string[];
  password: PasswordSpec;
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

export type PolicyObject = SocksUser | SocksPolicy;

/** A complete, validated set of objects, as the proxy receives it. */
export interface PolicySnapshot {
  /** Monotonic version (etcd revision in a cluster; a counter in embedded mode). */
  version: number;
  users: SocksUser[];
  policies: SocksPolicy[];
}

export function objectKey(o: { kind: string; metadata: { name: string } }): string {
  return `${o.kind}/${o.metadata.name}`;
}
