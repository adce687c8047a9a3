import type { SocksPolicy } from '@sockscale/common';

/**
 * Evaluation order: spec.priority ascending, ties broken by metadata.name (plain code-unit
 * order, not locale order, so every node agrees). Rules keep their order inside a policy.
 */
export function orderPolicies(policies: readonly SocksPolicy[]): SocksPolicy[] {
  return [...policies].sort((a, b) => {
    if (a.spec.priority !== b.spec.priority) return a.spec.priority - b.spec.priority;
    const x = a.metadata.name;
    const y = b.metadata.name;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
