import type { Command, Protocol, RuleAction, RuleLimits, SocksUser } from '@sockscale/common';

/**
 * Who is asking. `user` is null for an anonymous (SOCKS method 0x00) session; `groups` are the
 * authenticated user's groups; `clientIp` is the TCP peer address of the SOCKS client.
 */
export interface Subject {
  user: string | null;
  groups: readonly string[];
  clientIp: string;
}

/**
 * Where to. `domain` is what the client asked for (ATYP 0x03); `ip` is the literal address the
 * client sent or, after DNS resolution, the address about to be dialled. Both may be present.
 */
export interface Destination {
  ip?: string;
  domain?: string;
}

export interface PolicyRequest {
  command: Command;
  destination: Destination;
  port: number;
  /**
   * CONNECT only: the protocol detected in the tunnel's first bytes; undefined = not inspected
   * (rules with `protocols` do not match).
   */
  protocol?: Protocol;
  /** The TLS SNI or HTTP Host name (no port) found by detection; matched by domain entries of rules with `protocols`. */
  serverName?: string;
  /** Instant for time windows, ms since the epoch; default now. */
  at?: number;
}

/**
 * - `rule`: the first matching rule decided (`action` is that rule's action).
 * - `no-match`: no rule matched (default deny), or the request itself was unusable (an `ip`
 *   that is not an address, a port outside 0-65535, an unknown command).
 * - `special-destination`: the first matching rule allows, but the address is in a special range
 *   (loopback, private, link-local, metadata, ...) that the rule does not name explicitly.
 *   `policy` / `rule` identify that rule.
 */
export type DecisionReason = 'rule' | 'no-match' | 'special-destination';

/** Results are shared frozen objects: compare fields, never identity, and never mutate them. */
export interface Decision {
  readonly action: RuleAction;
  readonly policy: string | null;
  readonly rule: string | null;
  readonly reason: DecisionReason;
  /** Limits of the deciding rule (Allow by an Enforce rule with `limits` only). */
  readonly limits?: RuleLimits;
  /**
   * Shadow rules that matched before the deciding rule (or anywhere, with no match), in order,
   * each as the decision it would have made. Absent when none did.
   */
  readonly shadow?: readonly Decision[];
}

/** The compiled rule list that applies to one subject (obtain with `CompiledPolicy.forSubject`). */
export interface SubjectRules {
  /** Names of the applicable policies, in evaluation order. */
  readonly policies: readonly string[];
  /** Number of rules in the applicable policies. */
  readonly ruleCount: number;
  /** The first matching rule's decision; allocation-free (unless shadow rules hit), safe to call per connection/datagram. */
  evaluate(request: PolicyRequest): Decision;
  /**
   * CONNECT: true when the tunnel's first bytes could change the decision (see RuleEngine);
   * then inspect them and `evaluate` with `protocol` / `serverName`.
   */
  needsProtocol(request: PolicyRequest): boolean;
  /** Some rule with `protocols` applies to this subject (cheap pre-check before needsProtocol / DNS). */
  readonly inspects: boolean;
  /**
   * Cheap pre-check before DNS: false when no resolution of `domain` can be allowed, so the
   * proxy can refuse without a query. True means "resolve and `evaluate` again with the ip".
   */
  mightAllowDomain(command: Command, domain: string, port: number, at?: number): boolean;
  /**
   * False when no rule could allow `command` at all (no applicable Allow rule lists it), so
   * BIND / UDP ASSOCIATE can be refused before any other work. True says nothing more.
   */
  permits(command: Command): boolean;
}

/** A policy snapshot compiled for evaluation. Immutable; compile a new one per snapshot. */
export interface CompiledPolicy {
  readonly version: number;
  /** SocksUser objects by metadata.name. */
  readonly users: ReadonlyMap<string, SocksUser>;
  /** Total rules across all policies. */
  readonly ruleCount: number;
  /** True when some policy with `anonymous: true` applies to a client at `clientIp`. */
  anonymousAllowed(clientIp: string): boolean;
  /** The rules applying to `subject`; memoised, so call it once per session and keep the result. */
  forSubject(subject: Subject): SubjectRules;
}
