import type { RuleAction } from '@sockscale/common';
import type { Decision } from './types';

/** The default-deny result: nothing matched (or the request was unusable). */
export const NO_MATCH: Decision = Object.freeze({ action: 'Deny', policy: null, rule: null, reason: 'no-match' });

/** The frozen result for "rule `rule` of policy `policy` decided `action`". */
export function ruleDecision(action: RuleAction, policy: string, rule: string): Decision {
  return Object.freeze({ action, policy, rule, reason: 'rule' });
}

/** The frozen result for "rule `rule` would allow, but the address is special and not named by it". */
export function specialDecision(policy: string, rule: string): Decision {
  return Object.freeze({ action: 'Deny', policy, rule, reason: 'special-destination' });
}
