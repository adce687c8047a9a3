import type { PolicySnapshot, SocksPolicy, SocksUser } from '@sockscale/common';
import { orderPolicies } from './policy-order';
import { RuleEngine, type EngineBudgets } from './rule-engine';
import { SubjectIndex } from './subject-index';
import { CompiledSubjectRules } from './subject-rules';
import type { CompiledPolicy, Subject, SubjectRules } from './types';

/** Distinct applicable-policy sets kept by `forSubject` (least recently used evicted). */
export const SUBJECT_CACHE_SIZE = 1024;

export interface CompileOptions extends EngineBudgets {
  /** Distinct applicable-policy sets memoised by forSubject (default SUBJECT_CACHE_SIZE). */
  subjectCacheSize?: number;
}

/**
 * Compiles a validated snapshot once; evaluate per connection/datagram through `forSubject`.
 *
 * Semantics (the README copies these):
 * - Subjects: a policy applies when its identity selector matches (user listed in `users`, or a
 *   group listed in `groups`, or `anonymous: true` and the session is anonymous) and its
 *   clientCIDRs are empty or contain the client address. A policy listing only clientCIDRs
 *   applies to every authenticated user from those CIDRs, never to anonymous sessions.
 * - Order: policies by spec.priority ascending, then metadata.name; rules in order. The first
 *   matching rule across the applicable policies decides; no match denies ('no-match').
 * - A rule matches when the command is in `commands`, the port in `ports` (empty = any) and the
 *   destination in `destinations` (empty = any): the address is in one of its CIDRs, or the
 *   domain equals an exact entry (ASCII case-insensitive, one trailing dot ignored), or is a
 *   strict subdomain of a `*.suffix` entry. A request with both a domain and its resolved
 *   address matches a rule through either.
 * - Special destinations (SPECIAL_RANGES): an Allow for an address in a special range stands
 *   only when the allowing rule has a CIDR entry lying entirely within a special range and
 *   containing the address; otherwise the result is Deny 'special-destination'. A domain-only
 *   request has no address to check: re-evaluate with the resolved address before dialling.
 * - An `ip` that is not an address, a port outside 0-65535 or an unknown command: Deny
 *   'no-match'.
 */
export function compilePolicy(snapshot: PolicySnapshot, options: CompileOptions = {}): CompiledPolicy {
  return new Compiled(snapshot, options);
}

class Compiled implements CompiledPolicy {
  readonly version: number;
  readonly users: ReadonlyMap<string, SocksUser>;
  readonly ruleCount: number;
  private readonly ordered: readonly SocksPolicy[];
  private readonly engine: RuleEngine;
  private readonly subjects: SubjectIndex;
  private readonly cache = new Map<string, SubjectRules>();
  /**
   * In front of `cache`: the same answers keyed by the subject itself (user, groups, client
   * address), so a repeat subject costs one string key and one lookup instead of a walk over the
   * applicable policies (hundreds with a large policy). Bounded like `cache`.
   */
  private readonly bySubject = new Map<string, SubjectRules>();
  private readonly cacheSize: number;

  constructor(snapshot: PolicySnapshot, options: CompileOptions) {
    this.cacheSize = Math.max(1, options.subjectCacheSize ?? SUBJECT_CACHE_SIZE);
    this.version = snapshot.version;
    this.users = new Map(snapshot.users.map((u) => [u.metadata.name, u]));
    this.ordered = orderPolicies(snapshot.policies);
    this.engine = new RuleEngine(this.ordered, options);
    this.subjects = new SubjectIndex(this.ordered);
    this.ruleCount = this.engine.ruleCount;
  }

  anonymousAllowed(clientIp: string): boolean {
    return this.subjects.anonymousAllowed(clientIp);
  }

  /** Memoised by the set of applicable policies, so users sharing policies share the masks. */
  forSubject(subject: Subject): SubjectRules {
    // The answer depends on user, groups and client address only, and this object never changes.
    const subjectKey = `${subject.user === null ? '\u0001' : subject.user}\u0000${subject.clientIp}\u0000${subject.groups.join('\u0000')}`;
    const known = this.bySubject.get(subjectKey);
    if (known !== undefined) return known;
    const rules = this.forPositions(subject);
    if (this.bySubject.size >= this.cacheSize) {
      const oldest = this.bySubject.keys().next();
      if (oldest.done !== true) this.bySubject.delete(oldest.value);
    }
    this.bySubject.set(subjectKey, rules);
    return rules;
  }

  private forPositions(subject: Subject): SubjectRules {
    const positions = this.subjects.applicable(subject);
    const key = positions.join(',');
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const names = positions.map((p) => (this.ordered[p] as SocksPolicy).metadata.name);
    const rules = new CompiledSubjectRules(this.engine, names, positions);
    if (this.cache.size >= this.cacheSize) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
    this.cache.set(key, rules);
    return rules;
  }
}
