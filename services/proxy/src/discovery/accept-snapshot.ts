/**
 * The proxy's checks on a received snapshot before it compiles it: the shared schema (every
 * object validated again: the proxy trusts nothing it did not check) and this proxy's own
 * limits. A failure becomes the NACK's error text.
 */
import { formatIssue, snapshotFromProto, type PolicySnapshot, type Snapshot__Output } from '@sockscale/common';

export interface AcceptLimits {
  /** Total rules across policies (--max-policy-rules). */
  maxRules: number;
}

export function acceptSnapshot(s: Snapshot__Output, limits: AcceptLimits): { snapshot: PolicySnapshot } | { error: string } {
  const r = snapshotFromProto(s);
  if (r.snapshot === undefined) return { error: `invalid snapshot: ${r.issues.map(formatIssue).join('; ')}` };
  const rules = r.snapshot.policies.reduce((n, p) => n + p.spec.rules.length, 0);
  if (rules > limits.maxRules) return { error: `snapshot has ${rules} rules; this proxy accepts at most ${limits.maxRules} (--max-policy-rules)` };
  return { snapshot: r.snapshot };
}
