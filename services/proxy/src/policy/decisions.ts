import type { RuleAction, RuleLimits } from '@sockscale/common';
import type { Decision } from './types';

/** The default-deny result: nothing matched (or the request was unusable). */
export const NO_MATCH: Decision = Object.freeze({ action: 'Deny', policy: null, rule: null, reason: 'no-match' });

/** The frozen result for "rule `rule` of policy `policy` decided `action`". */
export function ruleDecision(action: RuleAction, policy: string, rule: string, limits?: RuleLimits): Decision {
  if (action === 'Allow' && limits !== undefined) return Object.freeze({ action, policy, rule, reason: 'rule', limits });
  return Object.freeze({ action, policy, rule, reason: 'rule' });
}

/** `d` plus the shadow rules that would have decided before it (allocates; only when some did). */
export function withShadow(d: Decision, shadow: readonly Decision[]): Decision {
  return Object.freeze({ ...d, shadow: Object.freeze(shadow) });
}

/** The frozen result for "rule `rule` would allow, but the address is special and not named by it". */
export function specialDecision(policy: string, rule: string): Decision {
  return Object.freeze({ action: 'Deny', policy, rule, reason: 'special-destination' });
}
