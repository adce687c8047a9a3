import type { Command } from '@sockscale/common';
import type { SubjectRules } from './types';

/**
 * Function form of SubjectRules.mightAllowDomain: false when no resolution of `domain` can be
 * allowed for this subject, command and port, so the proxy may refuse without a DNS query.
 */
export function mightAllowDomain(rules: SubjectRules, command: Command, domain: string, port: number): boolean {
  return rules.mightAllowDomain(command, domain, port);
}
